"""What executives registers on the platform: its committee-page tabs, figures, panels, demo."""


def register():
    pass
