import type { CompilerOptions, ParsedCommandLine } from 'typescript';

/** The compiler options of a tsconfig file for transpiling one file at a time (see transpileOptions.js). */
export function transpileOptions(configPath: string): { parsed: ParsedCommandLine; compilerOptions: CompilerOptions };
