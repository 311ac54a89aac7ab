"""The grader inside the kernel that runs one submission (tools/grade_run.py sends this file as the first cell).

It runs in three moves, none of which the student's code can skip to get a point:

1. ``install(params)``, before any other cell: limits the kernel's memory, makes a random key, hands it to the
   grader process in this cell's output (outputs are not kept in the kernel, so later cells cannot read it), and
   puts ``__nncore_grader__`` into builtins.
2. ``__nncore_grader__.seal()``, right after the chapter's setup cell and before any cell of the student: imports
   the course's checks (the grader's copy) with each check wrapped to record its outcome, snapshots the modules
   the checks rely on (NumPy, nncore, nnfs, the checks, builtins, ...) and from then on refuses to read the
   course, the other submissions and other processes, to start programs and to walk the garbage collector.
3. ``__nncore_grader__.check(n)`` in place of each check cell: puts the snapshot back (undoing a monkeypatch of
   ``checks``, ``np.allclose`` or ``sys.modules``), runs the course's check cell in the notebook's namespace, and
   publishes the outcome signed with the key. The grader process trusts only signed outcomes of these cells.
"""
import builtins
import functools
import hmac
import importlib
import os
import resource
import secrets
import sys
import threading

KEY_MIME = "application/vnd.nncore.grade-key+json"
RECORD_MIME = "application/vnd.nncore.grade+json"
PROTECTED = ("builtins", "numpy", "nncore", "nnfs", "checks", "growing", "functools", "inspect", "contextlib",
             "math", "json", "io", "pickle", "zipfile", "operator", "warnings", "unittest")
PROGRAMS = ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen",
            "pty.spawn")
INTROSPECTION = ("gc.get_objects", "gc.get_referrers", "gc.get_referents")
KERNEL_MANAGED = {"builtins": {"input", "_", "__", "___"}}  # ipykernel and IPython set these for every cell
CLASS_CACHES = {"__slotnames__"}  # copyreg caches it on a class the first time one of its objects is copied
MESSAGE_LIMIT = 2000
_MISSING = object()
_state = {}


def sign(key, index, status, message, undone):
    """The record's signature: HMAC-SHA256 of its fields, joined by a separator no message holds."""
    text = "\x1f".join([str(index), status, message, *undone]).encode("utf-8", "replace")
    return _state.get("digest", hmac.digest)(key, text, "sha256").hex()


def install(params):
    """Step 1 (see the module doc). ``params``: memory_mb, blocked and allowed folders, modules, exercises."""
    limit = params["memory_mb"] * 2 ** 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from IPython import get_ipython
    shell = get_ipython()
    key = secrets.token_bytes(32)
    try:
        import _hashlib
        digest = _hashlib.hmac_digest  # C code: no Python attribute to patch on the way
    except (ImportError, AttributeError):
        digest = hmac.digest
    _state.update(shell=shell, key=key, digest=digest, publish=shell.display_pub.publish, params=params,
                  modules=sys.modules, exec=builtins.exec, compile=builtins.compile, settrace=sys.settrace,
                  setprofile=sys.setprofile, thread_settrace=threading.settrace, sealed=False, item=None, depth=0)
    _state["publish"]({KEY_MIME: {"key": key.hex()}}, metadata={})
    builtins.__nncore_grader__ = Grader()


class Grader:
    """The handle the grader's cells call; it holds nothing itself."""
    __slots__ = ()

    def seal(self):
        _seal()

    def check(self, index):
        _check(index)


def _note(status, message):
    if _state["item"] is not None and _state["outcome"] is None:
        _state["outcome"] = (status, message)


def _observe(check, args, kwargs):
    """Run a check, recording the outcome of the outermost one while a grader's check cell runs."""
    outermost = _state["depth"] == 0
    _state["depth"] += 1
    try:
        result = check(*args, **kwargs)
    except AssertionError as problem:
        if outermost:
            _note("failed", str(problem))
        raise
    except BaseException as error:
        if outermost:
            _note("error", f"the check stopped on {type(error).__name__}: {error}")
        raise
    finally:
        _state["depth"] -= 1
    if outermost:
        _note("passed", _state.get("correct", ""))
    return result


def _own(function):
    """Register a function of this module, whose ``__globals__`` (this module's, with the key) stay hidden."""
    _state.setdefault("own", set()).add(id(function))
    return function


def _observed(check):
    @functools.wraps(check)
    def observed(*args, **kwargs):
        return _observe(check, args, kwargs)
    return _own(observed)


def _recording_piece(piece):
    def recording(fallback):
        decorate = piece(fallback)
        return _own(lambda check: decorate(_observed(check)))
    return _own(recording)


def _recording_correct(correct):
    def recording(message):
        _state["correct"] = f"Correct: {message}"
        return correct(message)
    return _own(recording)


def _seal():
    """Step 2 (see the module doc); only its first call does anything."""
    if _state["sealed"]:
        return
    _state["sealed"] = True
    checks = importlib.import_module("checks")
    checks.piece, checks.correct = _recording_piece(checks.piece), _recording_correct(checks.correct)
    for name in _state["params"]["modules"]:
        _state["modules"].pop(name, None)
        module = importlib.import_module(name)
        for attribute, value in list(vars(module).items()):
            if attribute.startswith("check_") and callable(value) and not hasattr(value, "strict"):
                setattr(module, attribute, _observed(value))
    _state["snapshot"] = _snapshot()
    for value in list(globals().values()) + list(vars(Grader).values()):
        if callable(value):
            _own(value)
    _state["pid"] = os.getpid()
    sys.addaudithook(_audit)


def _snapshot():
    modules = {name: (module, {key: value for key, value in vars(module).items()
                               if key not in KERNEL_MANAGED.get(name, ())})
               for name, module in list(_state["modules"].items())
               if name.split(".")[0] in PROTECTED and module is not None}
    classes = {}
    for module, _ in modules.values():
        for value in vars(module).values():
            if isinstance(value, type) and getattr(value, "__module__", "").split(".")[0] in ("nncore", "checks"):
                classes[value] = dict(vars(value))
    return modules, classes


def _restore():
    """Put the snapshot back; the names of what the notebook had changed, sorted."""
    modules, classes = _state["snapshot"]
    undone = set()
    for name, (module, saved) in modules.items():
        if _state["modules"].get(name) is not module:
            _state["modules"][name] = module
            undone.add(f"sys.modules[{name!r}]")
        current = vars(module)
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                current[key] = value
                undone.add(f"{name}.{key}")
    for cls, saved in classes.items():
        for key in [key for key in vars(cls) if key not in saved and key not in CLASS_CACHES]:
            delattr(cls, key)
            undone.add(f"{cls.__module__}.{cls.__qualname__}.{key}")
        for key, value in saved.items():
            if vars(cls).get(key, _MISSING) is not value:
                setattr(cls, key, value)
                undone.add(f"{cls.__module__}.{cls.__qualname__}.{key}")
    return sorted(undone)


def _borrowed(exercise, namespace):
    """The names of the exercise's answer that hold code of a module instead of the notebook (an import)."""
    found = []
    for name in exercise["defines"]:
        value = namespace.get(name)
        module = getattr(value, "__module__", "__main__") if value is not None else "__main__"
        if isinstance(module, str) and module != "__main__":
            found.append(f"{name} is {module}.{getattr(value, '__qualname__', name)}")
    return found


def _check(index):
    """Step 3 (see the module doc)."""
    exercise = _state["params"]["exercises"][index]
    _state["settrace"](None)
    _state["setprofile"](None)
    _state["thread_settrace"](None)
    undone = _restore()
    _state.update(item=index, outcome=None, correct="", depth=0)
    namespace = _state["shell"].user_ns
    try:
        borrowed = _borrowed(exercise, namespace)
        if borrowed:
            _note("failed", f"{'; '.join(borrowed)}, not code written in the notebook")
        else:
            _state["exec"](_state["compile"](exercise["source"], f"<check {exercise['id']}>", "exec"), namespace)
    except BaseException as error:  # the outcome is recorded; the notebook goes on as it would after a failed check
        _note("error", f"the check cell raised {type(error).__name__}: {error}")
    finally:
        status, message = _state["outcome"] or ("error", "the check did not run")
        changed = _restore()
        if changed:
            status, message = "error", f"the notebook changed {', '.join(changed[:5])} while its check ran"
        _state["item"] = None
        message = message[:MESSAGE_LIMIT]
        record = {"item": index, "status": status, "message": message, "undone": undone,
                  "mac": sign(_state["key"], index, status, message, undone)}
        _state["publish"]({RECORD_MIME: record}, metadata={})


def _inside(path, folders):
    return any(path == folder or path.startswith(folder + os.sep) for folder in folders)


def _refused(path):
    """Whether the notebook may not open ``path``: another process's /proc entry, or a blocked folder's file."""
    if isinstance(path, int) or path is None:
        return False
    try:
        real = os.path.realpath(os.fsdecode(path))  # a symbolic link leads where it points
    except (TypeError, ValueError):
        return False
    if real.startswith("/proc/"):
        first = real.split("/")[2]
        return first.isdigit() and int(first) != _state["pid"] and not os.path.exists(f"/proc/self/task/{first}")
    return _inside(real, _state["params"]["blocked"]) and not _inside(real, _state["params"]["allowed"])


def _audit(event, args):
    """The audit hook of a sealed kernel: it cannot be removed, and refuses what the module doc lists."""
    if event == "open" and _refused(args[0]):
        raise PermissionError(f"while it is graded, a notebook may not read {os.fsdecode(args[0])}")
    if event == "os.link" and _refused(args[0]):
        raise PermissionError("while it is graded, a notebook may not link to the course's files")
    if event.startswith(PROGRAMS):
        raise PermissionError("while it is graded, a notebook may not start other programs")
    if event in INTROSPECTION:
        raise PermissionError(f"while it is graded, a notebook may not call {event}")
    if event == "object.__getattr__" and args[1] == "__globals__" and id(args[0]) in _state["own"]:
        raise PermissionError("the grader's globals are not for the notebook")

