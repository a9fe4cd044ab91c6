//! What the Setup Assistant has been told and checked so far, and whether it may be saved. A check
//! belongs to the exact text that was checked: editing the text makes it unchecked again.

use flamenco_api::{BlenderPathCheckResult, PathCheckResult, SetupAssistantConfig};

/// Which Blender the person chose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum BlenderChoice {
    /// None chosen yet.
    #[default]
    Unchosen,
    /// One the Manager found by itself (its index in that list).
    Found(usize),
    /// One the person typed.
    Typed,
}

/// A check the Manager ran, or why it could not run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Checked<T> {
    #[default]
    No,
    Running,
    Done(T),
    /// The Manager could not be asked (down, or it refused the request).
    Failed(String),
}

impl<T> Checked<T> {
    /// The Manager's answer to a check, or why it could not be asked.
    pub fn from_answer(answer: Result<T, crate::api::ApiFailure>) -> Checked<T> {
        match answer {
            Ok(result) => Checked::Done(result),
            Err(failure) => Checked::Failed(format!("The Manager could not check it: {failure}")),
        }
    }
}

/// The assistant's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetupDraft {
    pub storage_path: String,
    pub storage_check: Checked<PathCheckResult>,
    pub blender: BlenderChoice,
    pub typed_blender: String,
    pub typed_check: Checked<BlenderPathCheckResult>,
}

impl SetupDraft {
    /// The storage check that applies to the folder as typed now, if any.
    pub fn current_storage_check(&self) -> Option<&PathCheckResult> {
        match &self.storage_check {
            Checked::Done(result) if result.path == self.storage_path.trim() => Some(result),
            _ => None,
        }
    }

    /// The check of the typed Blender that applies to its text as typed now, if any.
    pub fn current_typed_check(&self) -> Option<&BlenderPathCheckResult> {
        match &self.typed_check {
            Checked::Done(result) if result.input == self.typed_blender.trim() => Some(result),
            _ => None,
        }
    }

    /// What to save, or what is still missing, in words.
    pub fn ready(&self, found: &[BlenderPathCheckResult]) -> Result<SetupAssistantConfig, String> {
        let storage = match self.current_storage_check() {
            None => return Err("Check the shared storage folder first.".into()),
            Some(result) if !result.is_usable => {
                return Err(format!("The shared storage folder cannot be used: {}", result.cause))
            }
            Some(result) => result.path.clone(),
        };
        let blender = match &self.blender {
            BlenderChoice::Unchosen => return Err("Choose how the Workers start Blender.".into()),
            BlenderChoice::Found(index) => found
                .get(*index)
                .cloned()
                .ok_or("The Blender you chose is no longer listed: choose again.")?,
            BlenderChoice::Typed => match self.current_typed_check() {
                None => return Err("Check the Blender you typed first.".into()),
                Some(result) if !result.is_usable => {
                    return Err(format!("The Blender you typed cannot be used: {}", result.cause))
                }
                Some(result) => result.clone(),
            },
        };
        Ok(SetupAssistantConfig { storage_location: storage, blender_executable: blender })
    }
}

#[cfg(test)]
mod tests {
    use flamenco_api::BlenderPathSource;

    use super::*;

    fn storage(path: &str, usable: bool) -> Checked<PathCheckResult> {
        Checked::Done(PathCheckResult { path: path.into(), is_usable: usable, cause: "why".into() })
    }

    fn blender(input: &str, usable: bool) -> BlenderPathCheckResult {
        BlenderPathCheckResult {
            input: input.into(),
            path: format!("/usr/bin/{input}"),
            source: BlenderPathSource::PathEnvvar,
            is_usable: usable,
            cause: "Found Blender 4.2.0".into(),
        }
    }

    #[test]
    fn nothing_is_saved_before_both_checks_pass() {
        let mut draft = SetupDraft::default();
        assert_eq!(draft.ready(&[]), Err("Check the shared storage folder first.".into()));
        draft.storage_path = "/srv/flamenco".into();
        draft.storage_check = storage("/srv/flamenco", false);
        assert!(draft.ready(&[]).is_err_and(|why| why.contains("cannot be used: why")));
        draft.storage_check = storage("/srv/flamenco", true);
        assert_eq!(draft.ready(&[]), Err("Choose how the Workers start Blender.".into()));
        draft.blender = BlenderChoice::Found(0);
        let found = [blender("blender", true)];
        let ready = draft.ready(&found).expect("ready");
        assert_eq!(ready.storage_location, "/srv/flamenco");
        assert_eq!(ready.blender_executable, found[0]);
    }

    #[test]
    fn editing_a_checked_text_unchecks_it() {
        let mut draft = SetupDraft {
            storage_path: "/srv/flamenco".into(),
            storage_check: storage("/srv/flamenco", true),
            blender: BlenderChoice::Typed,
            typed_blender: "/opt/blender/blender".into(),
            typed_check: Checked::Done(blender("/opt/blender/blender", true)),
        };
        assert!(draft.ready(&[]).is_ok());
        draft.typed_blender.push('2');
        assert_eq!(draft.ready(&[]), Err("Check the Blender you typed first.".into()));
        draft.storage_path = "/srv/other".into();
        assert_eq!(draft.ready(&[]), Err("Check the shared storage folder first.".into()));
    }

    #[test]
    fn a_typed_blender_that_is_not_blender_is_refused_with_the_managers_reason() {
        let draft = SetupDraft {
            storage_path: "/srv".into(),
            storage_check: storage("/srv", true),
            blender: BlenderChoice::Typed,
            typed_blender: "/bin/true".into(),
            typed_check: Checked::Done(BlenderPathCheckResult {
                cause: "This program is not Blender".into(),
                ..blender("/bin/true", false)
            }),
        };
        assert!(draft.ready(&[]).is_err_and(|why| why.ends_with("This program is not Blender")));
    }
}
