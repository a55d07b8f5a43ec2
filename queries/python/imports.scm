; Imports at any level of a module: `import a.b as c` and `from .a import b as c`.

; import a.b / import a.b as c
(import_statement) @import

; from x import a, b as c / from . import a / from x import *
(import_from_statement) @import_from
