"""Loaded by every Python process started with ``tools/guard`` on PYTHONPATH (`make check` sets it for nbval).

It makes a chapter fail loudly if it reaches the network or writes into the repository:
- a socket may connect only to the loopback interface (the kernel itself talks to Jupyter over 127.0.0.1);
- a file may be opened for writing anywhere but inside the repository (temporary folders are fine; so is
  Python's bytecode cache, which the Makefile keeps in .venv/pycache).
"""
import os
import socket
import sys

_REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_LOOPBACK = ("127.", "::1", "localhost")
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _check_address(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not str(address[0]).startswith(_LOOPBACK):
        raise PermissionError(f"the course runs offline: a connection to {address[0]} was blocked")


def _guarded_connect(sock, address):
    _check_address(sock, address)
    return _connect(sock, address)


def _guarded_connect_ex(sock, address):
    _check_address(sock, address)
    return _connect_ex(sock, address)


def _audit(event, args):
    if event == "open" and args[0] is not None and not isinstance(args[0], int):
        mode, flags = args[1], args[2]
        writing = (mode and any(c in mode for c in "wax+")) or (flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writing:
            path = os.path.abspath(os.fsdecode(args[0]))
            if sys.pycache_prefix and path.startswith(os.path.abspath(sys.pycache_prefix) + os.sep):
                return  # Python's own bytecode cache (PYTHONPYCACHEPREFIX), not a chapter's file
            if path == _REPOSITORY or path.startswith(_REPOSITORY + os.sep):
                raise PermissionError(f"a chapter may not write into the repository; use a temporary folder "
                                      f"(tried {os.path.relpath(path, _REPOSITORY)})")


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
sys.addaudithook(_audit)
