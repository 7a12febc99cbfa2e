//! Closed sets of names on the wire (error codes, ticket states, alert
//! kinds, event names): each name is written once, beside its variant, and
//! serde, the OpenAPI schema, `as_str` and `parse` all take it from there.

/// An enum whose variants travel as fixed strings.
///
/// Gives `ALL`, `as_str`, `parse` and `Display`, derives serde, and (with the
/// `openapi` feature) a string-enum schema, all from the same names.
macro_rules! wire_enum {
    (
        $(#[doc = $doc:literal])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant, )*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Its name on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                }
            }

            /// The variant with this wire name, if any.
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        // By hand: utoipa's derive does not see a rename that a macro wrote.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                use utoipa::openapi::{schema::SchemaType, ObjectBuilder, Type};
                let doc: Vec<&str> = vec![$($doc.trim()),*];
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .description(Some(doc.join("\n")))
                    .enum_values(Some([$($wire),*]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;
