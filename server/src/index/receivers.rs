//! Which models' signals the project connects a receiver to.

use super::{ModelId, ModelIndex, TargetExpr};

impl ModelIndex {
    /// Some module of the project may connect a receiver of one of `signals` for
    /// `model`: one whose sender is `model`, every model (no sender), or a sender the
    /// index cannot name (a receiver it cannot read counts for every model). Django
    /// sends a model's signals with its exact class as the sender, so a receiver for a
    /// parent or a proxy is not one for `model`.
    pub fn receives(&self, model: ModelId, signals: &[&str]) -> bool {
        self.files().iter().any(|file| {
            file.receivers
                .iter()
                .filter(|r| signals.contains(&r.signal.as_str()))
                .any(|r| match &r.sender {
                    None => true,
                    Some(sender) => self
                        .sender_model(&file.module, sender)
                        .is_none_or(|sender| sender == model),
                })
        })
    }

    fn sender_model(&self, module: &str, sender: &TargetExpr) -> Option<ModelId> {
        match sender {
            TargetExpr::Str(label) => self.by_label(label),
            TargetExpr::UserModel => self.auth_user_model(),
            TargetExpr::Name(dotted) if dotted.last().is_some_and(|n| n == "AUTH_USER_MODEL") => {
                self.auth_user_model()
            }
            TargetExpr::Name(dotted) => self.resolve_model(module, dotted),
            TargetExpr::Other(_) => None,
        }
    }
}
