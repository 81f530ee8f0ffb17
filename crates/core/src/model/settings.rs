//! The organization's `defaultemailsettings` XML, parsed with quick-xml.
//!
//! The column holds
//! `<EmailSettings><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>2</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>1</ACTDeliveryMethod></EmailSettings>`;
//! the numbers use the mailbox choice values (note that ACT numbers differ from the email ones).

use super::{ActDeliveryMethod, DeliveryMethod};
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

/// Default delivery methods applied to new mailboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DefaultEmailSettings {
    /// `IncomingEmailDeliveryMethod`, if present.
    pub incoming: Option<DeliveryMethod>,
    /// `OutgoingEmailDeliveryMethod`, if present.
    pub outgoing: Option<DeliveryMethod>,
    /// `ACTDeliveryMethod`, if present.
    pub act: Option<ActDeliveryMethod>,
}

/// Why `defaultemailsettings` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("the default email settings XML is invalid: {reason} (got `{excerpt}`)")]
pub struct SettingsXmlError {
    /// What is wrong.
    pub reason: String,
    /// The start of the XML, for the log.
    pub excerpt: String,
}

const EXCERPT: usize = 120;

impl DefaultEmailSettings {
    /// Parses the XML. Unknown elements are ignored; unknown numbers become `Unknown(n)`.
    pub fn parse(xml: &str) -> Result<Self, SettingsXmlError> {
        let fail = |reason: String| {
            let mut end = xml.len().min(EXCERPT);
            while !xml.is_char_boundary(end) {
                end -= 1;
            }
            SettingsXmlError { reason, excerpt: xml[..end].to_owned() }
        };
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut settings = DefaultEmailSettings::default();
        // Element names from the root down to the current element.
        let mut stack: Vec<String> = Vec::new();
        let mut saw_root = false;
        loop {
            let event = reader.read_event().map_err(|e| fail(format!("{e} at byte {}", reader.error_position())))?;
            match event {
                Event::Start(start) => {
                    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                    if stack.is_empty() {
                        if saw_root {
                            return Err(fail("more than one root element".to_owned()));
                        }
                        if name != "EmailSettings" {
                            return Err(fail(format!("the root element is <{name}>, not <EmailSettings>")));
                        }
                        saw_root = true;
                    }
                    stack.push(name);
                }
                Event::Empty(start) => {
                    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                    if stack.is_empty() {
                        if saw_root || name != "EmailSettings" {
                            return Err(fail(format!("the root element is <{name}/>, not <EmailSettings>")));
                        }
                        saw_root = true;
                    }
                }
                Event::End(_) => {
                    stack.pop();
                }
                Event::Text(text) => {
                    let raw = text.decode().map_err(|e| fail(e.to_string()))?;
                    let value = raw.trim();
                    if value.is_empty() {
                        continue;
                    }
                    if stack.is_empty() {
                        return Err(fail(format!("text `{value}` outside <EmailSettings>")));
                    }
                    if stack.len() != 2 {
                        continue;
                    }
                    let element = stack.last().map_or("", String::as_str);
                    let number =
                        || value.parse::<i32>().map_err(|_| fail(format!("<{element}> holds `{value}`, not a number")));
                    match element {
                        "IncomingEmailDeliveryMethod" => settings.incoming = Some(DeliveryMethod::from(number()?)),
                        "OutgoingEmailDeliveryMethod" => settings.outgoing = Some(DeliveryMethod::from(number()?)),
                        "ACTDeliveryMethod" => settings.act = Some(ActDeliveryMethod::from(number()?)),
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !saw_root {
            return Err(fail("there is no <EmailSettings> element".to_owned()));
        }
        if !stack.is_empty() {
            return Err(fail(format!("<{}> is not closed", stack.join("/"))));
        }
        Ok(settings)
    }
}
