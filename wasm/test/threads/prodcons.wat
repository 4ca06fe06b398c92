;; prodcons.wat - a producer thread hands 1..5000 to the main thread through a
;; one-value mailbox, each side sleeping (memory.atomic.wait32) while the mailbox is
;; full or empty and waking the other (notify).  Exit 0 iff the consumer's sum is
;; 5000*5001/2 (a lost or repeated value, or a lost wake-up, fails or hangs).
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  ;; 16: the value, 20: full flag
  (func $await (param $want i32)
    (local $f i32)
    (loop $l
      (local.set $f (i32.atomic.load (i32.const 20)))
      (if (i32.ne (local.get $f) (local.get $want))
        (then
          (drop (memory.atomic.wait32 (i32.const 20) (local.get $f) (i64.const -1)))
          (br $l)))))
  (func $set_full (param $v i32)
    (i32.atomic.store (i32.const 20) (local.get $v))
    (drop (memory.atomic.notify (i32.const 20) (i32.const 1))))
  (func (export "wasi_thread_start") (param $tid i32) (param $n i32)
    (local $v i32)
    (loop $l
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (call $await (i32.const 0))
      (i32.store (i32.const 16) (local.get $v))
      (call $set_full (i32.const 1))
      (br_if $l (i32.lt_u (local.get $v) (local.get $n)))))
  (func (export "_start")
    (local $k i32) (local $sum i32)
    (if (i32.lt_s (call $spawn (i32.const 5000)) (i32.const 1))
      (then (call $exit (i32.const 3))))
    (loop $l
      (call $await (i32.const 1))
      (local.set $sum (i32.add (local.get $sum) (i32.load (i32.const 16))))
      (call $set_full (i32.const 0))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $k) (i32.const 5000))))
    (call $exit (select (i32.const 0) (i32.const 1) (i32.eq (local.get $sum) (i32.const 12502500)))))
)
