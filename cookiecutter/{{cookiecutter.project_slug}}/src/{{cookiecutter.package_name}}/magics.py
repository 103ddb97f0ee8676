"""A sample group: the `%{{ cookiecutter.magic_name }}` line magic, `%%{{ cookiecutter.cell_magic_name }}` cell magic."""

from anymagic import (
    Magics,
    UsageError,
    argument,
    cell_magic,
    line_magic,
    magic_arguments,
    magics_class,
    parse_argstring,
)
from traitlets import Unicode


@magics_class
class {{ cookiecutter.group_class }}(Magics):
    """Greet people: a sample group to replace with your own magics."""

    greeting = Unicode("Hello", help="The word to greet with.").tag(config=True)

    def greet(self, name, shout=False):
        text = f"{self.greeting}, {name}!"
        return text.upper() if shout else text

    @magic_arguments()
    @argument("-n", "--times", type=int, default=1, help="how many times to greet")
    @argument("--shout", action="store_true", help="greet in capitals")
    @argument("name", nargs="?", default="world", help="who to greet")
    @line_magic
    def {{ cookiecutter.magic_name }}(self, line):
        """Return a greeting for NAME (default: world), TIMES times."""
        args = parse_argstring(self.{{ cookiecutter.magic_name }}, line)
        if args.times < 1:
            raise UsageError("-n must be at least 1")
        return " ".join([self.greet(args.name, args.shout)] * args.times)

    @magic_arguments()
    @argument("--shout", action="store_true", help="greet in capitals")
    @cell_magic
    def {{ cookiecutter.cell_magic_name }}(self, line, cell):
        """Greet every non-empty line of the cell's body, one greeting per output line."""
        args = parse_argstring(self.{{ cookiecutter.cell_magic_name }}, line)
        for name in cell.splitlines():
            if name.strip():
                self.shell.write(self.greet(name.strip(), args.shout) + "\n")
