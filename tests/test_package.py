"""The package's names say what things are: `debate.store` is the store."""

import importlib
import pkgutil
import types

import debate


def test_every_module_is_reached_by_its_dotted_name():
    """`import debate.store.votes as votes` walks the package's attributes, so a name
    that create_app's module imports must never hide a subpackage of the same name."""
    for info in pkgutil.walk_packages(debate.__path__, "debate."):
        importlib.import_module(info.name)
        found = debate
        for part in info.name.split(".")[1:]:
            found = getattr(found, part)
        assert isinstance(found, types.ModuleType), f"{info.name} is {found!r}"
