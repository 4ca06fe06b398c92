"""Reading the tagged console (kernel/console.h): DLE (0x10) then '1' the
app's stdout, '2' its stderr, 'k' kernel messages, 'c' control lines;
DLE DLE is a literal 0x10. The decoder keeps its state across reads, so an
escape split between two reads is still understood."""

DLE = 0x10
STDOUT, STDERR, KERNEL, CONTROL = "stdout", "stderr", "kernel", "control"
_STREAMS = {ord("1"): STDOUT, ord("2"): STDERR, ord("k"): KERNEL, ord("c"): CONTROL}


class Demux:
    def __init__(self):
        self.stream = KERNEL     # before any switch: firmware and boot text
        self._escape = False
        self._control = bytearray()

    def feed(self, data):
        """Returns [(stream, bytes)] for output and [line] for control lines
        completed by this data, in order of appearance as (stream, payload)
        pairs; control payloads are whole lines without their newline."""
        out, run = [], bytearray()

        def flush():
            if run:
                if self.stream == CONTROL:
                    self._take_control(bytes(run), out)
                else:
                    out.append((self.stream, bytes(run)))
                run.clear()

        for b in data:
            if self._escape:
                self._escape = False
                if b == DLE:
                    run.append(DLE)
                elif b in _STREAMS:
                    flush()
                    self.stream = _STREAMS[b]
                # an unknown escape is dropped: a newer kernel's stream
            elif b == DLE:
                self._escape = True
            else:
                run.append(b)
        flush()
        return out

    def _take_control(self, data, out):
        self._control += data
        while b"\n" in self._control:
            line, _, rest = bytes(self._control).partition(b"\n")
            self._control = bytearray(rest)
            out.append((CONTROL, line.decode("utf-8", "replace")))
