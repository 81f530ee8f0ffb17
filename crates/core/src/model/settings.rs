//! The organization's `defaultemailsettings` XML, read with a small tokenizer of its own.
//!
//! The column holds
//! `<EmailSettings><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>2</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>1</ACTDeliveryMethod></EmailSettings>`;
//! the numbers use the mailbox choice values (note that ACT numbers differ from the email ones).

use super::{ActDeliveryMethod, DeliveryMethod};
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
        let mut tokens = Tokens { xml, pos: 0 };
        let mut settings = DefaultEmailSettings::default();
        // Element names from the root down to the current element.
        let mut stack: Vec<&str> = Vec::new();
        let mut saw_root = false;
        while let Some((at, token)) = tokens.next().map_err(&fail)? {
            match token {
                Token::Start { name, empty } => {
                    let local = name.rsplit(':').next().unwrap_or(name);
                    if stack.is_empty() {
                        let shown = if empty { format!("<{local}/>") } else { format!("<{local}>") };
                        if saw_root {
                            return Err(fail(format!("more than one root element ({shown})")));
                        }
                        if local != "EmailSettings" {
                            return Err(fail(format!("the root element is {shown}, not <EmailSettings>")));
                        }
                        saw_root = true;
                    }
                    if !empty {
                        stack.push(name);
                    }
                }
                Token::End(name) => match stack.pop() {
                    Some(open) if open == name => {}
                    Some(open) => {
                        return Err(fail(format!("expected `</{open}>`, but `</{name}>` was found at byte {at}")));
                    }
                    None => return Err(fail(format!("`</{name}>` closes nothing at byte {at}"))),
                },
                Token::Text(raw) => {
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
                    let element = stack.last().map_or("", |n| n.rsplit(':').next().unwrap_or(n));
                    let number =
                        || value.parse::<i32>().map_err(|_| fail(format!("<{element}> holds `{value}`, not a number")));
                    match element {
                        "IncomingEmailDeliveryMethod" => settings.incoming = Some(DeliveryMethod::from(number()?)),
                        "OutgoingEmailDeliveryMethod" => settings.outgoing = Some(DeliveryMethod::from(number()?)),
                        "ACTDeliveryMethod" => settings.act = Some(ActDeliveryMethod::from(number()?)),
                        _ => {}
                    }
                }
            }
        }
        if !saw_root {
            return Err(fail("there is no <EmailSettings> element".to_owned()));
        }
        if !stack.is_empty() {
            let open: Vec<&str> = stack.iter().map(|n| n.rsplit(':').next().unwrap_or(n)).collect();
            return Err(fail(format!("<{}> is not closed", open.join("/"))));
        }
        Ok(settings)
    }
}

/// A piece of the XML text. Only what the settings need: elements (by qualified name) and text.
/// Declarations, processing instructions, comments and `<!DOCTYPE>` are skipped; CDATA is text;
/// attributes are skipped (quotes may hold `>`); entities are left as written (a number never has one).
enum Token<'a> {
    Start { name: &'a str, empty: bool },
    End(&'a str),
    Text(&'a str),
}

/// Reads [`Token`]s, each with the byte offset where it starts. (A replacement for quick-xml, whose
/// reader was about 10 KB of the wasm for a three-element document.)
struct Tokens<'a> {
    xml: &'a str,
    pos: usize,
}

impl<'a> Tokens<'a> {
    fn next(&mut self) -> Result<Option<(usize, Token<'a>)>, String> {
        loop {
            let at = self.pos;
            let rest = self.xml.get(at..).unwrap_or_default();
            if rest.is_empty() {
                return Ok(None);
            }
            if !rest.starts_with('<') {
                let len = rest.find('<').unwrap_or(rest.len());
                self.pos += len;
                return Ok(Some((at, Token::Text(&rest[..len]))));
            }
            let skipped =
                [("<!--", "-->", "comment"), ("<?", "?>", "processing instruction"), ("<!DOCTYPE", ">", "DOCTYPE")];
            if let Some((open, close, what)) = skipped.into_iter().find(|(open, _, _)| rest.starts_with(open)) {
                let end = rest[open.len()..].find(close).ok_or_else(|| format!("{what} at byte {at} is not closed"))?;
                self.pos += open.len() + end + close.len();
                continue;
            }
            if let Some(body) = rest.strip_prefix("<![CDATA[") {
                let end = body.find("]]>").ok_or_else(|| format!("CDATA at byte {at} is not closed"))?;
                self.pos += "<![CDATA[".len() + end + "]]>".len();
                return Ok(Some((at, Token::Text(&body[..end]))));
            }
            // A tag: up to the first `>` outside quotes.
            let mut quote = None;
            let end = rest
                .char_indices()
                .skip(1)
                .find(|&(_, c)| match quote {
                    Some(q) if c == q => {
                        quote = None;
                        false
                    }
                    Some(_) => false,
                    None if c == '"' || c == '\'' => {
                        quote = Some(c);
                        false
                    }
                    None => c == '>',
                })
                .map(|(i, _)| i)
                .ok_or_else(|| format!("the tag at byte {at} is not closed"))?;
            self.pos += end + 1;
            let inner = &rest[1..end];
            let (inner, closing) = match inner.strip_prefix('/') {
                Some(name) => (name, true),
                None => (inner, false),
            };
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(inner) if !closing => (inner, true),
                _ => (inner, false),
            };
            let name = inner.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or_default();
            let valid = !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit() || "-.!".contains(c));
            if !valid {
                return Err(format!("the tag at byte {at} has no valid name"));
            }
            return Ok(Some((at, if closing { Token::End(name) } else { Token::Start { name, empty } })));
        }
    }
}
