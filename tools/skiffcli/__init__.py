"""The `skiff` command and qemu/launch, in Python (standard library only).

Every argument, path and environment value travels as an element of an
argument vector from the user's command line to QEMU's: nothing is ever
joined into a string and split again. The one place where words are joined
is the kernel command line (-append), whose quoting kcmdline.py writes and
kernel/cmdline.c reads.
"""
