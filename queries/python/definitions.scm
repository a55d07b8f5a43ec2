; Module-level definitions the model index reads. Class bodies are walked in Rust.

; class Post(models.Model): ...
(module
  (class_definition) @class)

; @register
; class Post(models.Model): ...
(module
  (decorated_definition
    definition: (class_definition) @class))

; NAME = value: `AUTH_USER_MODEL = "accounts.User"`, `User = get_user_model()`,
; `PostManager = models.Manager.from_queryset(PostQuerySet)`
(module
  (expression_statement
    (assignment
      left: (identifier) @name
      right: (_) @value)))
