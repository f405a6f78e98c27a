"""English: every key of the catalogue (see ``nbgrad/i18n/__init__.py``). Other languages translate these."""
NAME = "English"

MESSAGES = {
    # >>> issue-13 display
    # <<< issue-13 display
    # >>> issue-13 widgets
    # <<< issue-13 widgets
    # >>> issue-13 exercises
    # <<< issue-13 exercises
    # >>> issue-13 modules
    # <<< issue-13 modules
    # >>> issue-13 launch
    "launch.installed_lessons": "{path} is inside an installed package ({folder}), where a re-run would change "
                                "nbgrad's own files: copy the lessons first with `python -m nbgrad lessons DIR` "
                                "and execute the copies. Nothing was written.",
    "launch.args_without_launch": "arguments after -- go to JupyterLab, which --no-launch does not start",
    # <<< issue-13 launch
}
