//! Collection → evaluation → checklist, per scenario (filled in with the rules).
