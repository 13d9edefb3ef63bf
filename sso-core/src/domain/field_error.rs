/// Why one input value was refused; the caller names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("is empty")]
    Empty,
    #[error("is shorter than {0} characters")]
    TooShort(usize),
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("must be {0}")]
    Malformed(&'static str),
}
