//! What every urlencoded form of the API has in common, written into the
//! document once: each parameter is one string (a repeated name is refused,
//! see [`crate::routes::params::Params`]) and a name the endpoint does not
//! read is ignored, as RFC 6749 §3.2 asks of the token endpoint; a field
//! left out is absent, never `null` (a form cannot say null). Without this,
//! generated requests carry lists, objects and nulls that no form can hold.

use utoipa::Modify;
use utoipa::openapi::schema::{AdditionalProperties, Object, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi as Document, RefOr};

/// The request bodies (component names) this applies to.
const FORMS: &[&str] = &[
    "AccountDeleteForm",
    "AccountRenameForm",
    "AddChallengeForm",
    "AddPasskeyForm",
    "AuthorizeQuery",
    "ClearForm",
    "DeletePasskeyForm",
    "EndSessionForm",
    "FedCmAssertion",
    "FedCmDisconnect",
    "ForgotPasswordForm",
    "HostedForgotForm",
    "HostedCreateForm",
    "HostedResetForm",
    "HostedSignInForm",
    "HostedVerifyForm",
    "LinkForm",
    "LogoutStatusForm",
    "PasskeyChallengeForm",
    "PasskeySignInForm",
    "RegisterForm",
    "RenamePasskeyForm",
    "ResetPasswordForm",
    "RpLogoutForm",
    "SessionCreateForm",
    "SessionForm",
    "SignInForm",
    "TokenForm",
    "UserCreateForm",
    "UserEndSessionForm",
    "UserInfoForm",
    "UserSessionsForm",
];

/// The flattened part both registration forms share.
const COMMON: &str = "RegistrationCommon";

pub struct FormRules;

impl Modify for FormRules {
    fn modify(&self, doc: &mut Document) {
        let Some(components) = doc.components.as_mut() else {
            return;
        };
        let common = match components.schemas.remove(COMMON) {
            Some(RefOr::T(Schema::Object(common))) => Some(common),
            _ => None,
        };
        for name in FORMS {
            let Some(schema) = components.schemas.get_mut(*name) else {
                continue;
            };
            // `#[serde(flatten)]` renders as `allOf`, where "further
            // properties" cannot be said of the whole: one object instead.
            if let RefOr::T(Schema::AllOf(all_of)) = schema {
                let mut merged = common.clone().unwrap_or_default();
                merged.description = all_of.description.take();
                for part in &all_of.items {
                    if let RefOr::T(Schema::Object(part)) = part {
                        merged.properties.extend(part.properties.clone());
                        merged.required.extend(part.required.iter().cloned());
                    }
                }
                *schema = RefOr::T(Schema::Object(merged));
            }
            if let RefOr::T(Schema::Object(form)) = schema {
                form.properties.values_mut().for_each(not_null);
                form.additional_properties = Some(Box::new(AdditionalProperties::RefOr(RefOr::T(
                    Schema::Object(Object::with_type(Type::String)),
                ))));
            }
        }
    }
}

/// An optional field's schema without its `null` alternative.
fn not_null(field: &mut RefOr<Schema>) {
    match field {
        RefOr::T(Schema::Object(object)) => {
            if let SchemaType::Array(types) = &object.schema_type {
                let types: Vec<Type> = types
                    .iter()
                    .filter(|t| **t != Type::Null)
                    .cloned()
                    .collect();
                object.schema_type = match types.as_slice() {
                    [one] => SchemaType::Type(one.clone()),
                    _ => SchemaType::Array(types),
                };
            }
        }
        RefOr::T(Schema::OneOf(one_of)) => {
            let is_null = |item: &RefOr<Schema>| {
                matches!(item, RefOr::T(Schema::Object(o))
                    if o.schema_type == SchemaType::Type(Type::Null))
            };
            if one_of.items.len() == 2 && one_of.items.iter().any(is_null) {
                let mut item = one_of.items.drain(..).find(|i| !is_null(i));
                if let Some(item) = item.take() {
                    *field = item;
                }
            }
        }
        _ => {}
    }
}
