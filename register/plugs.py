"""What the register plugs into the platform (figures, panels, tabs, imports, demo)."""

from federation import imports


def register():
    imports.register("register_import", "register.excel.RegisterImporter")
