//! What the Tags page checks before it asks the Manager: a tag needs a name, and no two tags may share
//! one (the Manager's database refuses it with a bare 500 "error creating worker tag").

use flamenco_api::WorkerTag;

/// Why a tag name cannot be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    /// Another tag has this name already.
    Taken(String),
}

impl NameProblem {
    pub fn message(&self) -> String {
        match self {
            NameProblem::Empty => "A tag needs a name.".to_owned(),
            NameProblem::Taken(name) => {
                format!("A tag named “{name}” exists already: tag names must be unique.")
            }
        }
    }
}

/// The name to send (trimmed), or why not. `own_id` is the tag being renamed, which may keep its name.
pub fn check_name(name: &str, tags: &[WorkerTag], own_id: Option<&str>) -> Result<String, NameProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(NameProblem::Empty);
    }
    let taken =
        tags.iter().any(|tag| tag.name.trim() == name && (own_id.is_none() || tag.id.as_deref() != own_id));
    if taken {
        Err(NameProblem::Taken(name.to_owned()))
    } else {
        Ok(name.to_owned())
    }
}

/// A tag's name and description as typed in a form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagForm {
    pub name: String,
    pub description: String,
}

impl TagForm {
    /// The form filled with a tag as the Manager has it.
    pub fn of(tag: &WorkerTag) -> TagForm {
        TagForm { name: tag.name.clone(), description: tag.description.clone().unwrap_or_default() }
    }

    /// The tag to create: the Manager assigns the id; an empty description is left out.
    pub fn to_new_tag(&self, name: String) -> WorkerTag {
        let description = self.description.trim();
        WorkerTag { id: None, name, description: (!description.is_empty()).then(|| description.to_owned()) }
    }

    /// The update of tag `id`: the description is always sent, so that emptying it clears it (the
    /// Manager keeps the old one when it is left out).
    pub fn to_update(&self, id: &str, name: String) -> WorkerTag {
        WorkerTag { id: Some(id.to_owned()), name, description: Some(self.description.trim().to_owned()) }
    }
}

/// An edit in progress of one tag: what was typed, and the tag as it was when the edit began, so that
/// a change by another client meanwhile can be pointed out without touching the typed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagEdit {
    pub form: TagForm,
    pub began_from: WorkerTag,
}

impl TagEdit {
    pub fn begin(tag: &WorkerTag) -> TagEdit {
        TagEdit { form: TagForm::of(tag), began_from: tag.clone() }
    }

    /// Whether someone else changed the tag since the edit began.
    pub fn changed_meanwhile(&self, now: &WorkerTag) -> bool {
        self.began_from.name != now.name
            || self.began_from.description.as_deref().unwrap_or("")
                != now.description.as_deref().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: &str, name: &str) -> WorkerTag {
        WorkerTag { id: Some(id.into()), name: name.into(), description: None }
    }

    #[test]
    fn a_name_is_required_and_unique() {
        let tags = vec![tag("a", "GPU"), tag("b", "CPU")];
        assert_eq!(check_name("  ", &tags, None), Err(NameProblem::Empty));
        assert_eq!(check_name(" GPU ", &tags, None), Err(NameProblem::Taken("GPU".into())));
        assert_eq!(check_name(" Render ", &tags, None), Ok("Render".into()));
        assert_eq!(check_name("gpu", &tags, None), Ok("gpu".into()), "the Manager tells case apart");
    }

    #[test]
    fn a_renamed_tag_may_keep_its_name_but_not_take_another() {
        let tags = vec![tag("a", "GPU"), tag("b", "CPU")];
        assert_eq!(check_name("GPU", &tags, Some("a")), Ok("GPU".into()));
        assert_eq!(check_name("CPU", &tags, Some("a")), Err(NameProblem::Taken("CPU".into())));
        assert!(NameProblem::Taken("CPU".into()).message().contains("“CPU” exists already"));
    }

    #[test]
    fn forms_become_what_the_manager_expects() {
        let form = TagForm { name: "GPU".into(), description: "  ".into() };
        assert_eq!(
            form.to_new_tag("GPU".into()),
            WorkerTag { id: None, name: "GPU".into(), description: None }
        );
        assert_eq!(form.to_update("a", "GPU".into()).description.as_deref(), Some(""), "clears it");
    }

    #[test]
    fn an_edit_notices_changes_by_others() {
        let edit = TagEdit::begin(&tag("a", "GPU"));
        assert!(!edit.changed_meanwhile(&tag("a", "GPU")));
        assert!(edit.changed_meanwhile(&tag("a", "Big GPU")));
        assert_eq!(edit.form.name, "GPU", "the typed text is the edit's own");
    }
}
