"""Short names for nginx's command-type bit masks, as crossplane defines them.

The directive tables of nginxlint are written with these names so that each row reads like the
C command table it was taken from (``NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1`` becomes ``H_MAIN | TAKE1``).
"""

from crossplane.analyzer import (
    NGX_CONF_1MORE as MORE1,
    NGX_CONF_2MORE as MORE2,
    NGX_CONF_ANY as ANY,
    NGX_CONF_BLOCK as BLOCK,
    NGX_CONF_FLAG as FLAG,
    NGX_CONF_NOARGS as NOARGS,
    NGX_CONF_TAKE1 as TAKE1,
    NGX_CONF_TAKE2 as TAKE2,
    NGX_CONF_TAKE3 as TAKE3,
    NGX_CONF_TAKE4 as TAKE4,
    NGX_CONF_TAKE5 as TAKE5,
    NGX_CONF_TAKE6 as TAKE6,
    NGX_CONF_TAKE7 as TAKE7,
    NGX_DIRECT_CONF as DIRECT,
    NGX_EVENT_CONF as EVENTS,
    NGX_HTTP_LIF_CONF as H_LIF,
    NGX_HTTP_LMT_CONF as H_LMT,
    NGX_HTTP_LOC_CONF as H_LOC,
    NGX_HTTP_MAIN_CONF as H_MAIN,
    NGX_HTTP_SIF_CONF as H_SIF,
    NGX_HTTP_SRV_CONF as H_SRV,
    NGX_HTTP_UPS_CONF as H_UPS,
    NGX_MAIL_MAIN_CONF as M_MAIN,
    NGX_MAIL_SRV_CONF as M_SRV,
    NGX_MAIN_CONF as MAIN,
    NGX_STREAM_MAIN_CONF as S_MAIN,
    NGX_STREAM_SRV_CONF as S_SRV,
    NGX_STREAM_UPS_CONF as S_UPS,
)

TAKE12 = TAKE1 | TAKE2
TAKE13 = TAKE1 | TAKE3
TAKE23 = TAKE2 | TAKE3
TAKE123 = TAKE1 | TAKE2 | TAKE3
TAKE1234 = TAKE123 | TAKE4
TAKE1234567 = TAKE1234 | TAKE5 | TAKE6 | TAKE7

# Context groups used over and over by http modules.
H_MS = H_MAIN | H_SRV
H_MSL = H_MAIN | H_SRV | H_LOC
H_MSLI = H_MSL | H_LIF  # most lua-nginx-module request-phase directives
H_LI = H_LOC | H_LIF
H_SET = H_SRV | H_SIF | H_LOC | H_LIF  # NDK set_var based directives (rewrite phase)
H_ALL = H_MSL | H_SIF | H_LIF | H_LMT
S_MS = S_MAIN | S_SRV
M_MS = M_MAIN | M_SRV
MAIN_ONLY = MAIN | DIRECT

__all__ = [
    "ANY", "BLOCK", "DIRECT", "EVENTS", "FLAG", "H_ALL", "H_LI", "H_LIF", "H_LMT", "H_LOC", "H_MAIN",
    "H_MS", "H_MSL", "H_MSLI", "H_SET", "H_SIF", "H_SRV", "H_UPS", "MAIN", "MAIN_ONLY", "MORE1",
    "MORE2", "M_MAIN", "M_MS", "M_SRV", "NOARGS", "S_MAIN", "S_MS", "S_SRV", "S_UPS", "TAKE1",
    "TAKE12", "TAKE123", "TAKE1234", "TAKE1234567", "TAKE13", "TAKE2", "TAKE23", "TAKE3", "TAKE4", "TAKE5",
    "TAKE6", "TAKE7",
]
