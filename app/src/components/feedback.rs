use leptos::prelude::*;
use roster::Refusal;

use crate::error::AppError;

/// What a person should read about an error that belongs to no single field.
/// What a page that a sign-in provider's return was refused to says, from the `error` code in its
/// address (which anyone can write: only known codes get their words).
pub fn provider_refusal(code: &str) -> String {
    match roster::error::OAuthRefusal::from_code(code) {
        Some(refusal) => describe(&AppError::Refused(Refusal::OAuth(refusal))),
        None => "Signing in with the provider failed. Please try again.".to_owned(),
    }
}

pub fn describe(error: &AppError) -> String {
    match error {
        AppError::Refused(Refusal::MissingAuthorization | Refusal::InvalidSession) => {
            "Your session has ended. Please sign in again.".to_owned()
        }
        AppError::Internal => "Something went wrong on the server. Please try again.".to_owned(),
        AppError::Unavailable => "Roster is busy right now. Please try again shortly.".to_owned(),
        AppError::Refused(Refusal::Changed) => {
            "Someone else changed this while you were editing; nothing was saved. Reload the page \
             to see their changes."
                .to_owned()
        }
        // An error can come from the URL (a form posted without JavaScript comes back with
        // it in `__err`), where anyone can write one: no text it carries is shown, only what
        // its kind says.
        AppError::Refused(Refusal::Invalid(_)) => {
            "Some fields are not valid; see the notes beside them.".to_owned()
        }
        AppError::Refused(Refusal::InvalidRelation(_)) => {
            "Something this refers to does not exist any more. Reload the page.".to_owned()
        }
        AppError::Refused(other) => {
            let text = other.messages().join("; ");
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
                None => text,
            }
        }
        AppError::Unreadable(_) => {
            "The request could not be read. Please check the form and try again.".to_owned()
        }
        AppError::CrossSite => {
            "This form was sent from another site's page, so nothing was changed. Open Roster \
             at its own address and try again."
                .to_owned()
        }
        AppError::Unreachable(_) => {
            "Roster could not be reached. Check your connection.".to_owned()
        }
    }
}

/// Errors of a form, split into the fields they belong to and the rest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormErrors {
    pub fields: Vec<(String, String)>,
    pub general: Option<String>,
}

impl FormErrors {
    pub fn from_error(error: &AppError) -> Self {
        match error {
            AppError::Refused(Refusal::Invalid(errors)) => FormErrors {
                fields: errors
                    .0
                    .iter()
                    .map(|e| (e.field.clone(), e.reason.clone()))
                    .collect(),
                general: None,
            },
            AppError::Refused(Refusal::Conflict(conflict)) => FormErrors {
                fields: vec![(conflict.field().to_owned(), conflict.message().to_owned())],
                general: None,
            },
            AppError::Refused(Refusal::InvalidPassword) => FormErrors {
                fields: vec![(
                    "password".to_owned(),
                    "is not your current password".to_owned(),
                )],
                general: None,
            },
            AppError::Refused(Refusal::EmailInUse) => FormErrors {
                fields: vec![("email".to_owned(), "is already in use".to_owned())],
                general: None,
            },
            AppError::Refused(Refusal::InvalidRelation(relation)) => FormErrors {
                fields: vec![(
                    if relation == "role" {
                        "role_uuid".to_owned()
                    } else {
                        relation.clone()
                    },
                    format!("no such {relation}"),
                )],
                general: None,
            },
            other => FormErrors {
                fields: Vec::new(),
                general: Some(describe(other)),
            },
        }
    }

    pub fn field(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, reason)| reason.clone())
    }
}

/// The errors of an action's last answer, split by field; empty before an answer or after a
/// success.
pub fn action_errors<S>(action: ServerAction<S>) -> Signal<FormErrors>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|value| match value {
            Some(Err(error)) => FormErrors::from_error(error),
            _ => FormErrors::default(),
        })
    })
}

/// A banner for an error of the whole page or form.
#[component]
pub fn ErrorNote(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|message| {
            view! { <p class="note note-error" role="alert">{message}</p> }
        })
    }
}

/// The fallback of an `<ErrorBoundary>`: what went wrong loading a page's data.
pub fn load_error(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="note note-error" role="alert">
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(_, error)| {
                        let text = error.to_string();
                        let signed_out = text.contains("missing authorization")
                            || text.contains("invalid session");
                        let needs_two_factor = text.contains("two-factor authentication required");
                        if signed_out {
                            view! {
                                <p>"Please " <a href="/sign-in">"sign in"</a> " to continue."</p>
                            }
                                .into_any()
                        } else if needs_two_factor {
                            view! {
                                <p>
                                    "Your role requires two-factor sign-in. "
                                    <a href="/account">"Set it up on your account page"</a>
                                    " to continue."
                                </p>
                            }
                                .into_any()
                        } else {
                            view! { <p>"Could not load this page: " {text}</p> }.into_any()
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster::error::FieldErrors;

    #[test]
    fn no_text_an_error_carries_reaches_the_alert() {
        let planted = "Your account is locked: call +1 555 0100";
        let mut fields = FieldErrors::new();
        fields.push("user", planted);
        for error in [
            AppError::Unreadable(planted.to_owned()),
            AppError::Unreachable(planted.to_owned()),
            AppError::Refused(Refusal::Invalid(fields)),
            AppError::Refused(Refusal::InvalidRelation(planted.to_owned())),
        ] {
            let shown = describe(&error);
            assert!(!shown.contains("locked"), "{error:?} showed {shown}");
        }
        assert_eq!(
            describe(&AppError::Refused(Refusal::InvalidCredentials)),
            "Invalid username or password."
        );
    }
}
