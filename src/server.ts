// The entry point. V8's compiled code of every module is kept on disk (in the OS temp directory,
// or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a restart does not
// compile the service again: about 0.3 s of a start on two cores. It must be on before the
// service's modules load, hence the dynamic import.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./main.ts');
