//! A checked tree: its Python files, parsed in parallel, and the model index over them.
