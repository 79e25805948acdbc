#!/usr/bin/python3
# A real SMTP server on loopback for the outbox tests (aiosmtpd, Debian's
# python3-aiosmtpd): writes each message it accepts to DIR/<n>.eml and
# prints "listening PORT" once it takes connections. Stops on SIGTERM.
# usage: smtp_sink.py DIR [PORT]   (PORT 0 or absent: any free port)
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        path = os.path.join(self.directory, '%06d-%d.eml' % (n, os.getpid()))
        tmp = path + '.tmp'
        with open(tmp, 'wb') as f:
            f.write(('X-Rcpt: %s\r\n' % ','.join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, path)
        return '250 OK'


def main():
    directory = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if port == 0:
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
    controller = Controller(Sink(directory), hostname='127.0.0.1', port=port)
    controller.start()
    print('listening %d' % port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    controller.stop()


if __name__ == '__main__':
    main()
