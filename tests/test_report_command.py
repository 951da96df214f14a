"""The command a report page names: the one that really started the process."""
from glasstorch.labs.report import command_line


def test_command_line_of_a_script_the_cli_and_python_m():
    assert command_line(["f1.py", "a", "b"], "/usr/bin/python3") == "python3 f1.py a b"
    assert command_line(["f1.py", "two words"], "/usr/bin/python3") == "python3 f1.py 'two words'"
    assert command_line(["/venv/bin/glasstorch", "lab", "digits"], "/venv/bin/python") == "glasstorch lab digits"
    assert command_line(["/src/glasstorch/__main__.py", "lab", "xor"], "/usr/bin/python3") == \
        "python3 -m glasstorch lab xor"
    assert command_line([""], "") == "python"
