"""esup-helpdesk's tables, as its Hibernate mapping files declare them, for PostgreSQL and MariaDB.

The import reads these columns by name. The tests and the benchmark create the same tables in a
real database to fill them with a generated history, so the importer meets the shapes a
university's server has: string user ids, nullable foreign keys that may point nowhere, naive
timestamps, Boolean columns, file contents in a BLOB.

Tables and columns come from `src/main/resources/properties/dao/hibernate/mapping/*.hbm.xml`
(h_user, h_depa, h_cate, h_cate_memb, h_tick, h_acti, h_invi, h_faq2, h_file). The tables whose
mapping is generated from the Java beans in later esup-helpdesk versions (department managers,
file infos, ticket monitoring, responses, archived tickets and actions) follow the beans' fields
and esup-helpdesk's column naming (the first four letters of each word). Columns the import does
not read (a user's control-panel preferences, say) are left out.
"""

from __future__ import annotations

# Portable column types, rendered per dialect below.
ID, UID, STR, TEXT, BOOL, INT, TIME, BLOB = (
    "id",
    "uid",
    "str",
    "text",
    "bool",
    "int",
    "time",
    "blob",
)

TABLES: dict[str, list[tuple[str, str]]] = {
    "h_user": [
        ("id", "uid_pk"),
        ("auth_type", STR),
        ("real_id", STR),
        ("disp_name", STR),
        ("email", STR),
        ("pass", STR),
        ("admi", BOOL),
        ("lang", STR),
    ],
    "h_depa": [
        ("id", ID),
        ("labe", STR),
        ("xlab", STR),
        ("visi", BOOL),
        ("url", STR),
        ("auto_expi2", INT),
        ("spen_time_need", BOOL),
        ("filt", STR),
        ("orde", INT),
        ("defa_tick_scop", STR),
        ("tick_temp_prio_leve", INT),
        ("real_depa_id", INT),
        ("hide_to_exte_user", BOOL),
        ("moni_emai", STR),
    ],
    "h_depa_mana": [
        ("id", ID),
        ("user_id", UID),
        ("depa_id", INT),
        ("avai", BOOL),
        ("refu_tick", BOOL),
        ("mana_prop", BOOL),
        ("mana_mana", BOOL),
        ("mana_cate", BOOL),
        ("mana_faq", BOOL),
        ("rate", INT),
        ("orde", INT),
    ],
    "h_cate": [
        ("id", ID),
        ("labe", STR),
        ("xlab", STR),
        ("url", STR),
        ("auto_expi", INT),
        ("depa_id", INT),
        ("pare_id", INT),
        ("real_cate_id", INT),
        ("orde", INT),
        ("defa_tick_scop", STR),
        ("tick_temp_prio_leve", INT),
        ("defa_prio_leve", INT),
        ("inhe_memb", BOOL),
        ("hide_to_exte_user", BOOL),
        ("cate_invi", BOOL),
        ("cate_confi", BOOL),
        ("moni_emai", STR),
    ],
    "h_cate_memb": [("id", ID), ("user_id", UID), ("cate_id", INT), ("orde", INT)],
    "h_tick": [
        ("id", ID),
        ("owne_id", UID),
        ("mana_id", UID),
        ("depa_id", INT),
        ("cate_id", INT),
        ("stat", STR),
        ("orig_id", STR),
        ("comp", STR),
        ("labe", STR),
        ("prio_leve", INT),
        ("scop", STR),
        ("conn_tick_id", INT),
        ("crea_date", TIME),
        ("last_acti_date", TIME),
        ("spen_time", INT),
        ("crea_depa_id", INT),
        ("creator_id", UID),
        ("effe_scop", STR),
        ("reca_date", TIME),
        ("char_time", INT),
        ("clos_time", INT),
        ("mana_disp_name", STR),
    ],
    "h_acti": [
        ("id", ID),
        ("tick_id", INT),
        ("user_id", UID),
        ("date", TIME),
        ("acti_type", STR),
        ("stat_befo", STR),
        ("stat_afte", STR),
        ("scop", STR),
        ("mess", TEXT),
        ("file_id", INT),
        ("mana_befo_id", UID),
        ("mana_afte_id", UID),
        ("labe_befo", STR),
        ("labe_afte", STR),
        ("prio_leve_befo", INT),
        ("prio_leve_afte", INT),
        ("depa_befo_id", INT),
        ("depa_afte_id", INT),
        ("cate_befo_id", INT),
        ("cate_afte_id", INT),
        ("invi_user_id", UID),
        ("orig_befo", STR),
        ("orig_afte", STR),
        ("file_name", STR),
        ("reca_date", TIME),
    ],
    "h_file_info": [
        ("id", ID),
        ("tick_id", INT),
        ("user_id", UID),
        ("date", TIME),
        ("file_name", STR),
        ("file_size", INT),
        ("scop", STR),
        ("cont", BLOB),
    ],
    "h_invi": [("id", ID), ("user_id", UID), ("tick_id", INT)],
    "h_tick_moni": [("id", ID), ("user_id", UID), ("tick_id", INT)],
    "h_resp": [("id", ID), ("labe", STR), ("mess", TEXT), ("depa_id", INT), ("user_id", UID)],
    "h_faq2": [
        ("id", ID),
        ("labe", STR),
        ("scop", STR),
        ("orde", INT),
        ("cont", TEXT),
        ("last_upda", TIME),
        ("depa_id", INT),
        ("pare_id", INT),
        ("effe_scop", STR),
    ],
    "h_arch_tick": [
        ("id", ID),
        ("tick_id", INT),
        ("owne_id", UID),
        ("mana_id", UID),
        ("depa_id", INT),
        ("cate_id", INT),
        ("orig_id", STR),
        ("labe", STR),
        ("prio_leve", INT),
        ("scop", STR),
        ("crea_date", TIME),
        ("arch_date", TIME),
    ],
    "h_arch_acti": [
        ("id", ID),
        ("arch_tick_id", INT),
        ("user_id", UID),
        ("date", TIME),
        ("acti_type", STR),
        ("stat_befo", STR),
        ("stat_afte", STR),
        ("scop", STR),
        ("mess", TEXT),
    ],
}

_TYPES = {
    "postgresql": {
        ID: "bigint primary key",
        "uid_pk": "varchar(255) primary key",
        UID: "varchar(255)",
        STR: "varchar(1024)",
        TEXT: "text",
        BOOL: "boolean",
        INT: "bigint",
        TIME: "timestamp",
        BLOB: "bytea",
    },
    "mysql": {
        ID: "bigint primary key",
        "uid_pk": "varchar(255) primary key",
        UID: "varchar(255)",
        STR: "varchar(1024)",
        TEXT: "mediumtext",
        BOOL: "tinyint(1)",
        INT: "bigint",
        TIME: "datetime",
        BLOB: "longblob",
    },
}

# The indexes esup-helpdesk declares on the columns the import reads by.
INDEXES = {"h_acti": ["tick_id"], "h_file_info": ["tick_id"], "h_arch_acti": ["arch_tick_id"]}


def ddl(dialect: str) -> list[str]:
    """CREATE TABLE (and index) statements for `dialect` ("postgresql" or "mysql")."""
    types = _TYPES[dialect]
    suffix = " DEFAULT CHARSET=utf8mb4" if dialect == "mysql" else ""
    statements = []
    for table, columns in TABLES.items():
        body = ", ".join(f"{name} {types[kind]}" for name, kind in columns)
        statements.append(f"CREATE TABLE {table} ({body}){suffix}")
        for column in INDEXES.get(table, []):
            statements.append(f"CREATE INDEX i_{table}_{column} ON {table} ({column})")
    return statements


def columns(table: str) -> list[str]:
    return [name for name, _kind in TABLES[table]]
