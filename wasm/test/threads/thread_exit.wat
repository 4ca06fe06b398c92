;; thread_exit.wat - a spawned thread calls proc_exit(7) while the main thread sleeps
;; with no timeout on a value nobody changes: the process must end with status 7.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param $tid i32) (param $code i32)
    (call $exit (local.get $code)))
  (func (export "_start")
    (drop (call $spawn (i32.const 7)))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
    (call $exit (i32.const 1)))
)
