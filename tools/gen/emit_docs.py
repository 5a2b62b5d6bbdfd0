"""docs/configuration.md: every environment variable of every *-configuration.yaml."""

from emit_config import rule_text
from naming import number_text


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _default(prop):
    if not prop.has_default:
        return "(unset)"
    value = prop.default
    if isinstance(value, bool):
        return "`%s`" % ("true" if value else "false")
    if isinstance(value, (int, float)):
        return "`%s`" % number_text(value)
    return '`"%s"`' % value if value == "" else "`%s`" % value


def configuration_markdown(services):
    out = [
        "# Configuration",
        "",
        "<!-- Generated from schemas/*-configuration.yaml by tools/gen/generate.py --docs docs/configuration.md."
        " Do not edit; the configuration_doc_up_to_date test fails when it is stale. -->",
        "",
        "onair reads its configuration from environment variables only. Each service's settings are declared",
        "in `schemas/<svc>-configuration.yaml`; the generated `load_configuration()` reads and checks them at",
        "startup and refuses to start with a message naming the variable and the rule it breaks.",
        "",
        "- Unset variables take the default. For a nullable setting (type *nullable*), an empty value means",
        "  unset too.",
        "- Booleans accept `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` (any case); enum values match",
        "  case-insensitively; numbers must be plain decimal and inside the range shown.",
        "- Secrets are never printed: error messages say `(value hidden)` and the configuration listing shows",
        "  only their length.",
        "",
    ]
    ordered = sorted((s for s in services if s.has_config), key=lambda s: (s.name != "server", s.name))
    for svc in ordered:
        out.append("## %s (`schemas/%s`)" % (svc.name, svc.files["configuration"]))
        out.append("")
        if svc.config_description:
            out += [line.rstrip() for line in svc.config_description.splitlines()]
            out.append("")
        out.append("| Variable | Type | Default | Allowed | Secret | Description |")
        out.append("|---|---|---|---|---|---|")
        for prop in svc.config:
            kind = prop.type + (", nullable" if prop.nullable else "")
            out.append("| `%s` | %s | %s | %s | %s | %s |" % (
                prop.env, kind, _cell(_default(prop)), _cell(rule_text(prop)), "yes" if prop.secret else "",
                _cell(prop.description)))
        out.append("")
    return "\n".join(out)
