"""``--import``: parse the argv with the script's real click command (callbacks included).

Opt-in only: importing runs the script's module-level code.  The script is imported under a
private module name, so its ``if __name__ == "__main__":`` block does not run; its folder and the
plugin folders go on ``sys.path`` and the working directory is the project folder (as on a
worker) while click parses.  Everything is restored afterwards.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import traceback

from .argv import ArgvCheck, run_click
from .issues import ERROR, Issue


def parse_with_real_command(model, link, command, group, args) -> ArgvCheck:
    import click

    path = link.path
    dirs = [str(path.parent), str(model.folder)] + [str(d) for d in model.plugin_dirs]
    saved_path, saved_cwd, saved_modules = list(sys.path), os.getcwd(), set(sys.modules)
    name = f"_dioptra_dry_run_{abs(hash(str(path)))}"
    try:
        sys.path[:0] = [d for d in dirs if d not in sys.path]
        os.chdir(model.folder)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except BaseException as err:  # noqa: BLE001 - user code may raise anything, even SystemExit
            frame = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
            where = f" ({frame.filename}:{frame.lineno})" if frame else ""
            return ArgvCheck(group, (), (Issue(
                "import-failed", f"importing {path.name} failed: {type(err).__name__}: {err}{where}",
                ERROR, path, command.span, "argv"),), (), command.function)
        real = getattr(module, command.function, None)
        if not isinstance(real, click.Command):
            return ArgvCheck(group, (), (Issue(
                "import-failed", f"`{command.function}` in {path.name} is not a click command "
                f"after import", ERROR, path, command.span, "argv"),), (), command.function)
        try:
            return run_click(real, {}, command, link, group, args, model.mlproject_path, model)
        except Exception as err:  # noqa: BLE001 - a user callback failed
            return ArgvCheck(group, (), (Issue(
                "callback-failed", f"a callback of `{command.function}` raised "
                f"{type(err).__name__}: {err}", ERROR, path, command.span, "argv"),), (),
                command.function)
    finally:
        sys.path[:] = saved_path
        os.chdir(saved_cwd)
        for mod in set(sys.modules) - saved_modules:   # do not leak the user's modules
            sys.modules.pop(mod, None)
