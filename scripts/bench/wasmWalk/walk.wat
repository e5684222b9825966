(module
 (type $0 (func (param i32 i32 i32) (result i32)))
 (type $1 (func (param i32 i32) (result i32)))
 (memory $0 64)
 (export "skipObject" (func $walk/skipObject))
 (export "walkLines" (func $walk/walkLines))
 (export "memory" (memory $0))
 (func $walk/skipObject (param $0 i32) (param $1 i32) (param $2 i32) (result i32)
  (local $3 i32)
  local.get $2
  i32.const 64
  i32.gt_s
  if
   i32.const -2
   return
  end
  local.get $0
  i32.load8_u offset=1
  i32.const 32
  i32.gt_u
  if
   local.get $0
   i32.const 1
   i32.add
   local.set $0
  else
   local.get $0
   i32.const 1
   i32.add
   local.set $0
   loop $while-continue|0
    local.get $0
    local.get $1
    i32.lt_s
    if
     local.get $0
     i32.load8_u
     local.tee $3
     i32.const 13
     i32.ne
     local.get $3
     i32.const 32
     i32.ne
     i32.and
     local.get $3
     i32.const 9
     i32.ne
     i32.and
     i32.eqz
     if
      local.get $0
      i32.const 1
      i32.add
      local.set $0
      br $while-continue|0
     end
    end
   end
  end
  local.get $0
  i32.load8_u
  i32.const 125
  i32.eq
  local.get $0
  local.get $1
  i32.lt_s
  i32.and
  if
   local.get $0
   i32.const 1
   i32.add
   return
  end
  loop $for-loop|1
   local.get $0
   i32.load8_u
   i32.const 34
   i32.ne
   local.get $0
   local.get $1
   i32.ge_s
   i32.or
   if
    i32.const -1
    return
   end
   local.get $0
   i32.const 1
   i32.add
   local.get $1
   call $walk/skipString
   local.tee $0
   i32.const 0
   i32.lt_s
   if
    local.get $0
    return
   end
   local.get $0
   i32.load8_u
   i32.const 32
   i32.le_u
   if
    loop $while-continue|2
     local.get $0
     local.get $1
     i32.lt_s
     if
      local.get $0
      i32.load8_u
      local.tee $3
      i32.const 13
      i32.ne
      local.get $3
      i32.const 32
      i32.ne
      i32.and
      local.get $3
      i32.const 9
      i32.ne
      i32.and
      i32.eqz
      if
       local.get $0
       i32.const 1
       i32.add
       local.set $0
       br $while-continue|2
      end
     end
    end
   end
   local.get $0
   i32.load8_u
   i32.const 58
   i32.ne
   local.get $0
   local.get $1
   i32.ge_s
   i32.or
   if
    i32.const -1
    return
   end
   local.get $0
   i32.load8_u offset=1
   i32.const 32
   i32.gt_u
   if
    local.get $0
    i32.const 1
    i32.add
    local.set $0
   else
    local.get $0
    i32.const 1
    i32.add
    local.set $0
    loop $while-continue|3
     local.get $0
     local.get $1
     i32.lt_s
     if
      local.get $0
      i32.load8_u
      local.tee $3
      i32.const 13
      i32.ne
      local.get $3
      i32.const 32
      i32.ne
      i32.and
      local.get $3
      i32.const 9
      i32.ne
      i32.and
      i32.eqz
      if
       local.get $0
       i32.const 1
       i32.add
       local.set $0
       br $while-continue|3
      end
     end
    end
   end
   local.get $0
   local.get $1
   i32.ge_s
   if
    i32.const -1
    return
   end
   local.get $0
   local.get $1
   local.get $2
   call $walk/skipValue
   local.tee $0
   i32.const 0
   i32.lt_s
   if
    local.get $0
    return
   end
   local.get $0
   i32.load8_u
   i32.const 32
   i32.le_u
   if
    loop $while-continue|4
     local.get $0
     local.get $1
     i32.lt_s
     if
      local.get $0
      i32.load8_u
      local.tee $3
      i32.const 13
      i32.ne
      local.get $3
      i32.const 32
      i32.ne
      i32.and
      local.get $3
      i32.const 9
      i32.ne
      i32.and
      i32.eqz
      if
       local.get $0
       i32.const 1
       i32.add
       local.set $0
       br $while-continue|4
      end
     end
    end
   end
   local.get $0
   local.get $1
   i32.ge_s
   if
    i32.const -1
    return
   end
   local.get $0
   i32.load8_u
   local.tee $3
   i32.const 125
   i32.eq
   if
    local.get $0
    i32.const 1
    i32.add
    return
   end
   local.get $3
   i32.const 44
   i32.eq
   if
    local.get $0
    i32.load8_u offset=1
    i32.const 32
    i32.gt_u
    if
     local.get $0
     i32.const 1
     i32.add
     local.set $0
    else
     local.get $0
     i32.const 1
     i32.add
     local.set $0
     loop $while-continue|5
      local.get $0
      local.get $1
      i32.lt_s
      if
       local.get $0
       i32.load8_u
       local.tee $3
       i32.const 13
       i32.ne
       local.get $3
       i32.const 32
       i32.ne
       i32.and
       local.get $3
       i32.const 9
       i32.ne
       i32.and
       i32.eqz
       if
        local.get $0
        i32.const 1
        i32.add
        local.set $0
        br $while-continue|5
       end
      end
     end
    end
    br $for-loop|1
   end
  end
  i32.const -1
 )
 (func $walk/skipValue (param $0 i32) (param $1 i32) (param $2 i32) (result i32)
  (local $3 i32)
  (local $4 i32)
  local.get $0
  i32.load8_u
  local.tee $3
  i32.const 34
  i32.eq
  if
   local.get $0
   i32.const 1
   i32.add
   local.get $1
   call $walk/skipString
   return
  end
  local.get $3
  i32.const 123
  i32.eq
  if
   local.get $0
   local.get $1
   local.get $2
   i32.const 1
   i32.add
   call $walk/skipObject
   return
  end
  local.get $3
  i32.const 91
  i32.eq
  if
   block $__inlined_func$walk/skipArray (result i32)
    i32.const -2
    local.get $2
    i32.const 1
    i32.add
    local.tee $4
    i32.const 64
    i32.gt_s
    br_if $__inlined_func$walk/skipArray
    drop
    local.get $0
    i32.load8_u offset=1
    i32.const 32
    i32.gt_u
    if
     local.get $0
     i32.const 1
     i32.add
     local.set $0
    else
     local.get $0
     i32.const 1
     i32.add
     local.set $0
     loop $while-continue|0
      local.get $0
      local.get $1
      i32.lt_s
      if
       local.get $0
       i32.load8_u
       local.tee $2
       i32.const 13
       i32.ne
       local.get $2
       i32.const 32
       i32.ne
       i32.and
       local.get $2
       i32.const 9
       i32.ne
       i32.and
       i32.eqz
       if
        local.get $0
        i32.const 1
        i32.add
        local.set $0
        br $while-continue|0
       end
      end
     end
    end
    local.get $0
    i32.const 1
    i32.add
    local.get $0
    i32.load8_u
    i32.const 93
    i32.eq
    local.get $0
    local.get $1
    i32.lt_s
    i32.and
    br_if $__inlined_func$walk/skipArray
    drop
    loop $for-loop|1
     i32.const -1
     local.get $0
     local.get $1
     i32.ge_s
     br_if $__inlined_func$walk/skipArray
     drop
     local.get $0
     local.get $1
     local.get $4
     call $walk/skipValue
     local.tee $0
     i32.const 0
     i32.lt_s
     if
      local.get $0
      br $__inlined_func$walk/skipArray
     end
     local.get $0
     i32.load8_u
     i32.const 32
     i32.le_u
     if
      loop $while-continue|2
       local.get $0
       local.get $1
       i32.lt_s
       if
        local.get $0
        i32.load8_u
        local.tee $2
        i32.const 13
        i32.ne
        local.get $2
        i32.const 32
        i32.ne
        i32.and
        local.get $2
        i32.const 9
        i32.ne
        i32.and
        i32.eqz
        if
         local.get $0
         i32.const 1
         i32.add
         local.set $0
         br $while-continue|2
        end
       end
      end
     end
     i32.const -1
     local.get $0
     local.get $1
     i32.ge_s
     br_if $__inlined_func$walk/skipArray
     drop
     local.get $0
     i32.const 1
     i32.add
     local.tee $2
     local.get $0
     i32.load8_u
     local.tee $3
     i32.const 93
     i32.eq
     br_if $__inlined_func$walk/skipArray
     drop
     local.get $3
     i32.const 44
     i32.eq
     if
      local.get $0
      i32.load8_u offset=1
      i32.const 32
      i32.gt_u
      if
       local.get $2
       local.set $0
      else
       local.get $0
       i32.const 1
       i32.add
       local.set $0
       loop $while-continue|3
        local.get $0
        local.get $1
        i32.lt_s
        if
         local.get $0
         i32.load8_u
         local.tee $2
         i32.const 13
         i32.ne
         local.get $2
         i32.const 32
         i32.ne
         i32.and
         local.get $2
         i32.const 9
         i32.ne
         i32.and
         i32.eqz
         if
          local.get $0
          i32.const 1
          i32.add
          local.set $0
          br $while-continue|3
         end
        end
       end
      end
      br $for-loop|1
     end
    end
    i32.const -1
   end
   return
  end
  local.get $3
  i32.const 116
  i32.eq
  local.tee $2
  local.get $3
  i32.const 102
  i32.eq
  i32.or
  local.get $3
  i32.const 110
  i32.eq
  i32.or
  if
   block $__inlined_func$walk/skipLiteral (result i32)
    local.get $2
    if
     local.get $0
     i32.const 4
     i32.add
     local.tee $2
     i32.const -1
     local.get $1
     local.get $2
     i32.ge_s
     if (result i32)
      local.get $0
      i32.load
      i32.const 1702195828
      i32.eq
     else
      i32.const 0
     end
     select
     br $__inlined_func$walk/skipLiteral
    end
    local.get $3
    i32.const 102
    i32.eq
    if
     local.get $0
     i32.const 5
     i32.add
     local.tee $2
     i32.const -1
     local.get $1
     local.get $2
     i32.ge_s
     if (result i32)
      local.get $0
      i32.load offset=1
      i32.const 1702063201
      i32.eq
     else
      i32.const 0
     end
     select
     br $__inlined_func$walk/skipLiteral
    end
    local.get $0
    i32.const 4
    i32.add
    local.tee $2
    i32.const -1
    local.get $1
    local.get $2
    i32.ge_s
    if (result i32)
     local.get $0
     i32.load
     i32.const 1819047278
     i32.eq
    else
     i32.const 0
    end
    select
   end
   return
  end
  block $__inlined_func$walk/skipNumber$1 (result i32)
   local.get $0
   i32.load8_u
   local.tee $2
   i32.const 45
   i32.eq
   if
    local.get $0
    i32.const 1
    i32.add
    local.tee $0
    i32.load8_u
    local.set $2
   end
   local.get $2
   i32.const 48
   i32.eq
   if
    local.get $0
    i32.const 1
    i32.add
    local.tee $0
    i32.load8_u
    local.set $2
   else
    local.get $2
    i32.const 49
    i32.sub
    i32.const 9
    i32.lt_u
    if
     loop $do-loop|0
      local.get $0
      i32.const 1
      i32.add
      local.tee $0
      i32.load8_u
      local.tee $2
      i32.const 48
      i32.sub
      i32.const 10
      i32.lt_u
      br_if $do-loop|0
     end
    else
     i32.const -1
     br $__inlined_func$walk/skipNumber$1
    end
   end
   local.get $2
   i32.const 46
   i32.eq
   if
    i32.const -1
    local.get $0
    i32.const 1
    i32.add
    local.tee $0
    i32.load8_u
    i32.const 48
    i32.sub
    i32.const 10
    i32.ge_u
    br_if $__inlined_func$walk/skipNumber$1
    drop
    loop $do-loop|1
     local.get $0
     i32.const 1
     i32.add
     local.tee $0
     i32.load8_u
     local.tee $2
     i32.const 48
     i32.sub
     i32.const 10
     i32.lt_u
     br_if $do-loop|1
    end
   end
   local.get $2
   i32.const 69
   i32.eq
   local.get $2
   i32.const 101
   i32.eq
   i32.or
   if
    i32.const -1
    local.get $0
    i32.const 1
    i32.add
    local.tee $0
    i32.load8_u
    local.tee $2
    i32.const 45
    i32.eq
    local.get $2
    i32.const 43
    i32.eq
    i32.or
    if (result i32)
     local.get $0
     i32.const 1
     i32.add
     local.tee $0
     i32.load8_u
    else
     local.get $2
    end
    i32.const 48
    i32.sub
    i32.const 10
    i32.ge_u
    br_if $__inlined_func$walk/skipNumber$1
    drop
    loop $do-loop|2
     local.get $0
     i32.const 1
     i32.add
     local.tee $0
     i32.load8_u
     i32.const 48
     i32.sub
     i32.const 10
     i32.lt_u
     br_if $do-loop|2
    end
   end
   i32.const -1
   local.get $0
   local.get $0
   local.get $1
   i32.gt_s
   select
  end
 )
 (func $walk/skipString (param $0 i32) (param $1 i32) (result i32)
  (local $2 v128)
  (local $3 i32)
  loop $for-loop|0
   loop $for-loop|1 (result i32)
    local.get $0
    v128.load
    local.tee $2
    v128.const i32x4 0x22222222 0x22222222 0x22222222 0x22222222
    i8x16.eq
    local.get $2
    v128.const i32x4 0x5c5c5c5c 0x5c5c5c5c 0x5c5c5c5c 0x5c5c5c5c
    i8x16.eq
    v128.or
    local.get $2
    v128.const i32x4 0xe0e0e0e0 0xe0e0e0e0 0xe0e0e0e0 0xe0e0e0e0
    v128.and
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    i8x16.eq
    v128.or
    i8x16.bitmask
    local.tee $3
    if (result i32)
     local.get $0
     local.get $3
     i32.ctz
     i32.add
    else
     local.get $0
     i32.const 16
     i32.add
     local.set $0
     br $for-loop|1
    end
   end
   local.tee $0
   local.get $1
   i32.ge_s
   if
    i32.const -1
    return
   end
   local.get $0
   i32.load8_u
   local.tee $3
   i32.const 34
   i32.eq
   if
    local.get $0
    i32.const 1
    i32.add
    return
   end
   local.get $3
   i32.const 92
   i32.ne
   if
    i32.const -1
    return
   end
   local.get $0
   i32.const 1
   i32.add
   local.get $1
   i32.ge_s
   if
    i32.const -1
    return
   end
   local.get $0
   i32.load8_u offset=1
   local.tee $3
   i32.const 92
   i32.eq
   local.get $3
   i32.const 34
   i32.eq
   i32.or
   local.get $3
   i32.const 47
   i32.eq
   i32.or
   local.get $3
   i32.const 98
   i32.eq
   i32.or
   local.get $3
   i32.const 102
   i32.eq
   i32.or
   local.get $3
   i32.const 110
   i32.eq
   i32.or
   local.get $3
   i32.const 114
   i32.eq
   i32.or
   local.get $3
   i32.const 116
   i32.eq
   i32.or
   if
    local.get $0
    i32.const 2
    i32.add
    local.set $0
    br $for-loop|0
   end
   local.get $3
   i32.const 117
   i32.ne
   local.get $0
   i32.const 6
   i32.add
   local.get $1
   i32.gt_s
   i32.or
   if (result i32)
    i32.const 0
   else
    local.get $0
    i32.load8_u offset=2
    local.tee $3
    i32.const 32
    i32.or
    i32.const 97
    i32.sub
    i32.const 6
    i32.lt_u
    local.get $3
    i32.const 48
    i32.sub
    i32.const 10
    i32.lt_u
    i32.or
   end
   if (result i32)
    local.get $0
    i32.load8_u offset=3
    local.tee $3
    i32.const 32
    i32.or
    i32.const 97
    i32.sub
    i32.const 6
    i32.lt_u
    local.get $3
    i32.const 48
    i32.sub
    i32.const 10
    i32.lt_u
    i32.or
   else
    i32.const 0
   end
   if (result i32)
    local.get $0
    i32.load8_u offset=4
    local.tee $3
    i32.const 32
    i32.or
    i32.const 97
    i32.sub
    i32.const 6
    i32.lt_u
    local.get $3
    i32.const 48
    i32.sub
    i32.const 10
    i32.lt_u
    i32.or
   else
    i32.const 0
   end
   if (result i32)
    local.get $0
    i32.load8_u offset=5
    local.tee $3
    i32.const 32
    i32.or
    i32.const 97
    i32.sub
    i32.const 6
    i32.lt_u
    local.get $3
    i32.const 48
    i32.sub
    i32.const 10
    i32.lt_u
    i32.or
   else
    i32.const 0
   end
   if
    local.get $0
    i32.const 6
    i32.add
    local.set $0
    br $for-loop|0
   end
  end
  i32.const -1
 )
 (func $walk/walkLines (param $0 i32) (param $1 i32) (param $2 i32) (result i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  local.get $0
  local.get $1
  i32.add
  local.set $4
  loop $while-continue|0
   local.get $0
   local.get $4
   i32.lt_s
   if
    local.get $0
    local.tee $1
    local.get $4
    loop $for-loop|1 (result i32)
     local.get $1
     v128.load
     v128.const i32x4 0x0a0a0a0a 0x0a0a0a0a 0x0a0a0a0a 0x0a0a0a0a
     i8x16.eq
     i8x16.bitmask
     local.tee $5
     if (result i32)
      local.get $1
      local.get $5
      i32.ctz
      i32.add
     else
      local.get $1
      i32.const 16
      i32.add
      local.set $1
      br $for-loop|1
     end
    end
    local.tee $1
    i32.lt_s
    if
     local.get $4
     local.set $1
    end
    local.get $1
    i32.lt_s
    if (result i32)
     local.get $0
     i32.load8_u
     i32.const 123
     i32.eq
    else
     i32.const 0
    end
    if
     local.get $2
     local.get $3
     i32.const 2
     i32.shl
     i32.add
     local.get $0
     local.get $1
     i32.const 1
     call $walk/skipObject
     i32.store
     local.get $3
     i32.const 1
     i32.add
     local.set $3
    end
    local.get $1
    i32.const 1
    i32.add
    local.set $0
    br $while-continue|0
   end
  end
  local.get $3
 )
)
