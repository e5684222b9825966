;; The string bitmap of a buffer's bytes (stringBitmap.ts): one bit per byte, set where the content of a JSON string
;; stops being plain: '"' (0x22), '\' (0x5c) or a byte below 0x20 (a control character; the line feed among them).
;; SIMD, 16 bytes per comparison. Assembled by scripts/build-string-bitmap.js into stringBitmapWasm.ts.
;; The four blocks of 16 are written out: V8 does not inline a function called for each (that measured 3x slower).
(module
  (memory (export "memory") 10)

  ;; Marks the n bytes at `src` (n a multiple of 64) into n / 8 bytes at `dst`: byte k's bit is bit k % 64 of the
  ;; little-endian 64-bit word k / 64, so a 32-bit view reads byte k's bit at bit k % 32 of word k / 32.
  (func (export "mark") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32)
    (local $v v128)
    (local $quote v128)
    (local $backslash v128)
    (local $top3 v128)
    (local $zero v128)
    (local $m0 i32)
    (local $m1 i32)
    (local $m2 i32)
    (local $m3 i32)
    (local.set $end (i32.add (local.get $src) (local.get $n)))
    (local.set $quote (i8x16.splat (i32.const 0x22)))
    (local.set $backslash (i8x16.splat (i32.const 0x5c)))
    ;; below 0x20: none of the top three bits set (x64 has no unsigned byte comparison for i8x16.lt_u)
    (local.set $top3 (i8x16.splat (i32.const 0xe0)))
    (local.set $zero (i8x16.splat (i32.const 0)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $v (v128.load (local.get $src)))
        (local.set $m0
          (i8x16.bitmask
            (v128.or
              (v128.or (i8x16.eq (local.get $v) (local.get $quote)) (i8x16.eq (local.get $v) (local.get $backslash)))
              (i8x16.eq (v128.and (local.get $v) (local.get $top3)) (local.get $zero)))))
        (local.set $v (v128.load offset=16 (local.get $src)))
        (local.set $m1
          (i8x16.bitmask
            (v128.or
              (v128.or (i8x16.eq (local.get $v) (local.get $quote)) (i8x16.eq (local.get $v) (local.get $backslash)))
              (i8x16.eq (v128.and (local.get $v) (local.get $top3)) (local.get $zero)))))
        (local.set $v (v128.load offset=32 (local.get $src)))
        (local.set $m2
          (i8x16.bitmask
            (v128.or
              (v128.or (i8x16.eq (local.get $v) (local.get $quote)) (i8x16.eq (local.get $v) (local.get $backslash)))
              (i8x16.eq (v128.and (local.get $v) (local.get $top3)) (local.get $zero)))))
        (local.set $v (v128.load offset=48 (local.get $src)))
        (local.set $m3
          (i8x16.bitmask
            (v128.or
              (v128.or (i8x16.eq (local.get $v) (local.get $quote)) (i8x16.eq (local.get $v) (local.get $backslash)))
              (i8x16.eq (v128.and (local.get $v) (local.get $top3)) (local.get $zero)))))
        (i64.store (local.get $dst)
          (i64.or
            (i64.extend_i32_u (i32.or (local.get $m0) (i32.shl (local.get $m1) (i32.const 16))))
            (i64.shl (i64.extend_i32_u (i32.or (local.get $m2) (i32.shl (local.get $m3) (i32.const 16)))) (i64.const 32))))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (br $next))))
)
