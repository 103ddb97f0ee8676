"""Test plugin: a Magics group (%hello, %%shout, %common). Importing it only sets a marker."""

from anymagic import Magics, argument, cell_magic, line_magic, magic_arguments, magics_class
from anymagic import parse_argstring

IMPORTED = True


@magics_class
class Greetings(Magics):
    """Greetings from am-testplugin."""

    @magic_arguments()
    @argument("-n", "--times", type=int, default=1, help="how many times")
    @argument("who", nargs="*", help="whom to greet")
    @line_magic
    def hello(self, line):
        """Say hello: %hello [-n N] WHO."""
        args = parse_argstring(self.hello, line)
        for _ in range(args.times):
            self.shell.write("hello " + " ".join(args.who) + "\n")
        return None

    @cell_magic
    def shout(self, line, cell):
        """Print the cell upper-cased."""
        self.shell.write(cell.upper())
        return None

    @line_magic
    def common(self, line):
        """A name am-conflict claims too."""
        self.shell.write("common from am-testplugin\n")
