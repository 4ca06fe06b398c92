;; mutex.wat - 8 threads each add 1 to a plain (non-atomic) counter 20,000 times under
;; a lock made of cmpxchg, memory.atomic.wait32 and notify.  Exit 0 iff the counter is
;; exactly 160,000 (a broken lock or a lost wake-up loses updates or hangs).
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  ;; 0: lock word, 4: counter, 8: threads finished
  (func $lock
    (loop $retry
      (if (i32.atomic.rmw.cmpxchg (i32.const 0) (i32.const 0) (i32.const 1))
        (then
          (drop (memory.atomic.wait32 (i32.const 0) (i32.const 1) (i64.const -1)))
          (br $retry)))))
  (func $unlock
    (i32.atomic.store (i32.const 0) (i32.const 0))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "wasi_thread_start") (param $tid i32) (param $n i32)
    (local $i i32)
    (loop $l
      (call $lock)
      (i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
      (call $unlock)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (drop (i32.atomic.rmw.add (i32.const 8) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 8) (i32.const 1))))
  (func (export "_start")
    (local $k i32) (local $d i32)
    (loop $s
      (if (i32.lt_s (call $spawn (i32.const 20000)) (i32.const 1))
        (then (call $exit (i32.const 3))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $s (i32.lt_u (local.get $k) (i32.const 8))))
    (loop $w
      (local.set $d (i32.atomic.load (i32.const 8)))
      (if (i32.lt_u (local.get $d) (i32.const 8))
        (then
          (drop (memory.atomic.wait32 (i32.const 8) (local.get $d) (i64.const -1)))
          (br $w))))
    (call $exit (select (i32.const 0) (i32.const 1)
                        (i32.eq (i32.load (i32.const 4)) (i32.const 160000)))))
)
