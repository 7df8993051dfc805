"""What the register plugs into the platform (figures, panels, tabs, imports, demo)."""


def register():
    pass
