/*
 * main.c — psvc, the command-line tool of libpowersvc (examples/cli/README.md).
 *
 *   psvc [GLOBAL OPTIONS] COMMAND [SUBCOMMAND] [ARGS] [OPTIONS]
 *
 * This file parses the command line, prints the help of every command, and
 * opens the journal; the commands are in cmd_*.c and import.c.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define GLOBAL_OPTS "db= json show-personal calendar= profile= now= help"

typedef struct command {
  const char *group, *name;
  int (*fn)(cli *);
  const char *opts; /* "name= flag ...": '=' takes a value */
  const char *help; /* usage line first */
} command;

static const command commands[] = {
    {"customer", "add", cmd_customer_add,
     "name= relation= tariff= sources= usage= importance= load-class= segment= area= "
     "voltage-v= capacity-kva= supply-end= season= unit= feeder= phone= manager= replace",
     "usage: psvc customer add ID [--name TEXT] [--relation R] [--tariff T] [--sources FLAGS]\n"
     "         [--usage FLAGS] [--importance G] [--load-class 1..3] [--segment S] [--area A]\n"
     "         [--voltage-v V] [--capacity-kva KVA] [--supply-end DATE] [--season MONTHS]\n"
     "         [--unit U] [--feeder F] [--phone P] [--manager STAFF] [--replace]\n"
     "\n"
     "Checks a customer against rules C-10 ... C-20 and saves it. Options take the\n"
     "values of the customer CSV columns (README.md): enum names (DIRECT, RESIDENTIAL,\n"
     "...), flags joined with '|' (HV|DUAL_SOURCE), months joined with '|' (4|5|6),\n"
     "supply-end a date (23:59:59 UTC+08:00 that day) or a time. Findings are printed;\n"
     "a customer with an ERROR finding is refused (exit 2). An existing id is refused\n"
     "(rule C-17, exit 2) unless --replace.\n"},
    {"customer", "show", cmd_customer_show, "",
     "usage: psvc customer show ID [--now TIME]\n"
     "\n"
     "Every field of a customer, its findings at --now, its number of orders and the\n"
     "outage notices active for it now (rule O-6). Name and phone are masked (W-12)\n"
     "unless --show-personal.\n"},
    {"customer", "check", cmd_customer_check, "",
     "usage: psvc customer check [ID...] [--now TIME]\n"
     "\n"
     "The findings (rules C-10 ... C-20) of the given customers, or of all, at --now.\n"
     "Exit 2 if any finding is an ERROR, else 0.\n"},
    {"customer", "list", cmd_customer_list, "tariff= area= unit= feeder= segment=",
     "usage: psvc customer list [--tariff T] [--area A] [--unit U] [--feeder F] [--segment S]\n"
     "\n"
     "The customers, by id, with masked names and phones (W-12) unless --show-personal.\n"},
    {"customer", "import", cmd_customer_import, "replace",
     "usage: psvc customer import FILE.csv... [--replace]\n"
     "\n"
     "Imports customers from CSV files (the customer columns of README.md) in one\n"
     "transaction: a bad row prints FILE:LINE: column NAME: what is wrong, exits 2,\n"
     "and nothing of the import is committed. An id already stored is an error\n"
     "unless --replace.\n"},
    {"order", "open", cmd_order_open,
     "type= subtype= channel= customer= area= summary= at= actor= role= unit=",
     "usage: psvc order open ID --type TYPE [--channel C] [--customer ID] [--area A]\n"
     "         [--subtype S] [--summary TEXT] [--at TIME] [--actor STAFF] [--role R] [--unit U]\n"
     "\n"
     "Accepts a new 95598 work order (state ACCEPTED). Defaults: --channel PHONE,\n"
     "--at now, --actor cli, --role AGENT. A SERVICE_REQUEST needs --customer; an\n"
     "anonymous FAULT_REPAIR needs --area. Subtypes: COMPLAINT (SERVICE, BUSINESS,\n"
     "OUTAGE, SUPPLY_QUALITY, GRID_CONSTRUCTION), SERVICE_REQUEST (NEW_CONNECTION,\n"
     "CAPACITY_CHANGE, RECONNECTION, APPLIANCE_DAMAGE, METER_CHECK, METER_READING_CHECK,\n"
     "OTHER).\n"},
    {"order", "act", cmd_order_act, "at= actor= role= unit= target= value= note=",
     "usage: psvc order act ID ACTION [--at TIME] [--actor STAFF] [--role R] [--unit U]\n"
     "         [--target X] [--value V] [--note TEXT]\n"
     "\n"
     "Applies one action (docs/lifecycle.md): DISPATCH, RECEIVE, RETURN, TRANSFER,\n"
     "ARRIVE, RESOLVE, REPLY, VISIT, CLOSE, SUSPEND, RESUME, CANCEL, MERGE, URGE,\n"
     "ESCALATE, NOTE. DISPATCH and TRANSFER need --target UNIT, MERGE --target ORDER;\n"
     "RETURN, SUSPEND and CANCEL need --note; VISIT needs --value SATISFIED,\n"
     "FAIRLY_SATISFIED or UNSATISFIED; a NOTE with --value CONTACT records the\n"
     "complainant's call-back (T-17). Defaults: --at now, --actor cli, --role AGENT.\n"
     "An action the lifecycle or the role does not allow is refused (exit 2).\n"},
    {"order", "show", cmd_order_show, "",
     "usage: psvc order show ID [--now TIME]\n"
     "\n"
     "An order: its fields, units (W-4), counters, its history (W-11) and its SLA\n"
     "clocks at --now.\n"},
    {"order", "list", cmd_order_list, "state= type= unit= customer= from= to=",
     "usage: psvc order list [--state S[,S...]] [--type T[,T...]] [--unit U] [--customer ID]\n"
     "         [--from TIME] [--to TIME]\n"
     "\n"
     "Orders matching every criterion, by acceptance time then id. --from/--to select\n"
     "the acceptance time in [from, to); a date alone is 00:00 UTC+08:00.\n"},
    {"order", "sla", cmd_order_sla, "metric=",
     "usage: psvc order sla ID [--metric M] [--now TIME] [--calendar FILE] [--profile P]\n"
     "\n"
     "The SLA clocks of an order at --now (docs/sla.md): DISPATCH, ARRIVAL, REPLY,\n"
     "RESOLVE, VISIT, CONTACT, or the one --metric names. Business and working-day\n"
     "clocks use --calendar (e.g. examples/data/cn-2026.cal).\n"},
    {"order", "handover", cmd_order_handover, "",
     "usage: psvc order handover UNIT [--now TIME] [--calendar FILE]\n"
     "\n"
     "Rule W-13: the open orders UNIT hands over at the end of a shift, most urgent\n"
     "first (the earliest deadline of a running clock).\n"},
    {"calendar", "check", cmd_calendar_check, "year=",
     "usage: psvc calendar check FILE [--year Y]\n"
     "\n"
     "Parses a calendar file (docs/calendar-format.md). On an error prints\n"
     "FILE:LINE: what is wrong and exits 2; otherwise the working days per month of\n"
     "--year (default: the year of --now).\n"},
    {"calendar", "add", cmd_calendar_add, "",
     "usage: psvc calendar add FILE TIME AMOUNT\n"
     "\n"
     "The instant AMOUNT after TIME on the calendar: AMOUNT is Nwd (N working days,\n"
     "rule T-23: 23:59:59 local of the N-th working day after TIME's day), or business\n"
     "time as Nh, Nm, Ns or a sum of them (1h30m).\n"},
    {"calendar", "between", cmd_calendar_between, "",
     "usage: psvc calendar between FILE FROM TO\n"
     "\n"
     "The business time in [FROM, TO) on the calendar, and the working days it spans.\n"},
    {"classify", NULL, cmd_classify,
     "supply= location= agreed-owner= customer-caused order= service= fee=",
     "usage: psvc classify --supply S --location L [--agreed-owner O] [--customer-caused]\n"
     "       psvc classify ... --order ID [--service CODE --fee YUAN]\n"
     "\n"
     "Paid or free service by the property boundary (rules S-1 ... S-5), with the rule\n"
     "and the reason to read out. --supply: LV_PUBLIC, HV_PUBLIC_10KV, HV_PUBLIC_35KV,\n"
     "CABLE (needs --agreed-owner), CUSTOMER_LINE. --location: PUBLIC_NETWORK,\n"
     "BOUNDARY_DEVICE, METER, CUSTOMER_SIDE. --agreed-owner: UTILITY or CUSTOMER.\n"
     "With --order (a FAULT_REPAIR order in the journal) the quote of the repair; a\n"
     "paid one is priced from --service CODE at --fee YUAN.\n"},
    {"notice", "publish", cmd_notice_publish, "kind= unit= feeder= start= end= at=",
     "usage: psvc notice publish ID --kind K --unit U --feeder F --start TIME --end TIME\n"
     "         [--at TIME]\n"
     "\n"
     "Publishes an outage notice (rules O-1 ... O-3), or re-publishes a change of it\n"
     "(T-10), at --at (default now). Kinds: PLANNED_MAINTENANCE, ORDERED_USE,\n"
     "TEMPORARY_MAINTENANCE, FAULT, ARREARS, EMERGENCY. Prints its lead-time check\n"
     "(T-7 ... T-10) and the customers to tell individually (T-11).\n"},
    {"notice", "check", cmd_notice_check, "customer=",
     "usage: psvc notice check ID\n"
     "       psvc notice check --customer ID [--now TIME]\n"
     "\n"
     "A notice's lead-time check (T-7 ... T-10) and the customers to tell individually\n"
     "(T-11); or, with --customer, the notices active for that customer at --now\n"
     "(O-6: a known outage, no second crew).\n"},
    {"report", NULL, cmd_report, "from= to= month= group-by=",
     "usage: psvc report (--from TIME --to TIME | --month YYYY-MM) [--group-by G]\n"
     "         [--now TIME] [--calendar FILE] [--profile P]\n"
     "\n"
     "The KPI report (rules Q-1 ... Q-4, Q-7, T-12; docs/reports.md) of the orders\n"
     "accepted, calls arrived and notices first published in [from, to), evaluated at\n"
     "--now. --group-by: type, unit, area or none (default type). A date alone is\n"
     "00:00 UTC+08:00; --month is that month in UTC+08:00. --json prints the\n"
     "library's document (schema psvc.report.v1) unchanged.\n"},
    {"import", NULL, cmd_import, "replace",
     "usage: psvc import FILE.csv... [--replace]\n"
     "\n"
     "Imports customers, order histories, outage notices and calls from CSV files in\n"
     "one transaction. Each file's kind is told by its header (README.md): customers\n"
     "(id, ...), orders (order_id, at, action, ...), notices (notice_id, ...), calls\n"
     "(call_id, ...); they are applied in that order, files of a kind in the order\n"
     "given. A bad row prints FILE:LINE: column NAME: what is wrong, exits 2, and\n"
     "nothing of the import is committed.\n"},
    {"export", NULL, cmd_export, "kind= output=",
     "usage: psvc export [--kind customer,order,notice,call] [--output FILE]\n"
     "\n"
     "Writes the journal's records as JSON Lines (one object per line, \"kind\" first):\n"
     "customers, orders with their histories, notices, calls. Names and phones are\n"
     "masked (W-12) unless --show-personal.\n"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char *const groups_help =
    "usage: psvc [GLOBAL OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
    "\n"
    "The 95598 customer-service rules of libpowersvc over a journal file.\n"
    "\n"
    "Commands:\n"
    "  customer add|show|check|list|import   customers and their consistency checks\n"
    "  order open|act|show|list|sla|handover  95598 work orders, SLA clocks, shift handover\n"
    "  calendar check|add|between            business calendars (a calendar file)\n"
    "  classify                              paid or free service, with the reason\n"
    "  notice publish|check                  outage notices\n"
    "  report                                the KPI report of a period\n"
    "  import                                customers, orders, notices, calls from CSV\n"
    "  export                                the journal as JSON Lines\n"
    "\n"
    "Global options (before or after the command):\n"
    "  --db PATH         the journal file (default ./powersvc.journal)\n"
    "  --json            machine output: JSON (one document, or JSON Lines for export)\n"
    "  --show-personal   do not mask names and phone numbers (W-12)\n"
    "  --calendar FILE   the business calendar of the SLA clocks (e.g. cn-2026.cal)\n"
    "  --profile P       SLA profile: seed (default), sgcc, gbt28583\n"
    "  --now TIME        evaluate at TIME instead of the current time\n"
    "  --help            help of the command; --version\n"
    "\n"
    "Times: YYYY-MM-DD HH:MM[:SS] in UTC+08:00, ISO 8601 with an offset, or @SECONDS.\n"
    "Exit codes: 0 ok, 1 usage, 2 bad input or refused by a rule, 3 not found,\n"
    "4 storage error, 5 other. `psvc COMMAND --help` for a command.\n";

static int usage_error(const char *fmt, const char *arg, const command *cmd) {
  fputs("psvc: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  if (cmd) {
    const char *nl = strchr(cmd->help, '\n');
    fprintf(stderr, "%.*s\n", (int)(nl ? nl - cmd->help : (long)strlen(cmd->help)), cmd->help);
    fprintf(stderr, "Try 'psvc %s%s%s --help'.\n", cmd->group, cmd->name ? " " : "",
            cmd->name ? cmd->name : "");
  } else
    fputs("Try 'psvc --help'.\n", stderr);
  return EX_USAGE;
}

static int group_help(const char *group, FILE *f) {
  int any = 0;
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].group, group) == 0 && commands[i].name) {
      if (!any)
        fprintf(f, "usage: psvc %s SUBCOMMAND ...\n\nSubcommands:\n", group);
      any = 1;
      const char *h = commands[i].help + strlen("usage: ");
      const char *nl = strchr(h, '\n');
      fprintf(f, "  %.*s\n", (int)(nl - h), h);
    }
  if (any)
    fprintf(f, "\n`psvc %s SUBCOMMAND --help` for one of them.\n", group);
  return any;
}

/* name is in the space-separated spec; *takes_value set */
static int spec_has(const char *spec, const char *name, size_t len, int *takes_value) {
  for (const char *p = spec; *p;) {
    while (*p == ' ')
      p++;
    const char *e = p;
    while (*e && *e != ' ')
      e++;
    size_t n = (size_t)(e - p);
    int v = n && p[n - 1] == '=';
    if (n - (size_t)v == len && strncmp(p, name, len) == 0) {
      *takes_value = v;
      return 1;
    }
    p = e;
  }
  return 0;
}

/* Parses one option at argv[*i]; 0 ok, else the exit code. */
static int take_option(cli *c, const command *cmd, int argc, char **argv, int *i) {
  const char *a = argv[*i] + 2;
  const char *eq = strchr(a, '=');
  size_t len = eq ? (size_t)(eq - a) : strlen(a);
  int takes = 0;
  if (!spec_has(GLOBAL_OPTS, a, len, &takes) && !(cmd && spec_has(cmd->opts, a, len, &takes)))
    return usage_error("unknown option '%s'", argv[*i], cmd);
  if (c->nopts >= (int)(sizeof c->opts / sizeof c->opts[0]))
    return usage_error("too many options%s", "", cmd);
  char *name = argv[*i] + 2;
  const char *val = NULL;
  if (takes) {
    if (eq) {
      val = eq + 1;
    } else {
      if (*i + 1 >= argc)
        return usage_error("option '%s' needs a value", argv[*i], cmd);
      val = argv[++*i];
    }
  } else if (eq)
    return usage_error("option '%s' takes no value", argv[*i], cmd);
  if (eq)
    name[len] = 0; /* argv is ours to modify */
  c->opts[c->nopts++] = (opt){name, val};
  return 0;
}

static int apply_globals(cli *c, const command *cmd) {
  const char *v;
  if ((v = opt_get(c, "db")) != NULL) {
    if (!*v)
      return usage_error("--db needs a path%s", "", cmd);
    c->db = v;
  }
  c->json = opt_has(c, "json");
  c->show_personal = opt_has(c, "show-personal");
  c->calendar = opt_get(c, "calendar");
  if (!c->calendar && getenv("PSVC_CALENDAR") && *getenv("PSVC_CALENDAR"))
    c->calendar = getenv("PSVC_CALENDAR");
  c->profile = opt_get(c, "profile");
  if ((v = opt_get(c, "now")) != NULL) {
    char why[256];
    if (parse_time(v, T_DATE_START, &c->now, why, sizeof why)) {
      fprintf(stderr, "psvc: --now: %s\n", why);
      return EX_USAGE;
    }
    c->now_given = 1;
  } else
    c->now = (psvc_time)time(NULL);
  return 0;
}

int main(int argc, char **argv) {
  static cli c; /* large; zeroed */
  c.prog = argv[0];
  c.db = DEFAULT_DB;
  int i = 1, rc;
  /* global options before the command */
  while (i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2]) {
    if (strcmp(argv[i], "--version") == 0) {
      printf("psvc (libpowersvc %s)\n", psvc_version());
      return EX_OK;
    }
    if (strcmp(argv[i], "--help") == 0) {
      fputs(groups_help, stdout);
      return EX_OK;
    }
    if ((rc = take_option(&c, NULL, argc, argv, &i)) != 0)
      return rc;
    i++;
  }
  if (i >= argc) {
    fputs(groups_help, stderr);
    return EX_USAGE;
  }
  const char *group = argv[i++];
  if (strcmp(group, "version") == 0) {
    printf("psvc (libpowersvc %s)\n", psvc_version());
    return EX_OK;
  }
  if (strcmp(group, "help") == 0) {
    if (i >= argc) {
      fputs(groups_help, stdout);
      return EX_OK;
    }
    for (size_t k = 0; k < NCOMMANDS; k++)
      if (strcmp(commands[k].group, argv[i]) == 0 &&
          (!commands[k].name || (i + 1 < argc && strcmp(commands[k].name, argv[i + 1]) == 0))) {
        fputs(commands[k].help, stdout);
        return EX_OK;
      }
    if (group_help(argv[i], stdout))
      return EX_OK;
    return usage_error("unknown command '%s'", argv[i], NULL);
  }
  const command *cmd = NULL;
  int has_sub = 0, known_group = 0;
  for (size_t k = 0; k < NCOMMANDS; k++)
    if (strcmp(commands[k].group, group) == 0) {
      known_group = 1;
      if (!commands[k].name)
        cmd = &commands[k];
      else
        has_sub = 1;
    }
  if (!known_group)
    return usage_error("unknown command '%s'", group, NULL);
  if (has_sub) {
    if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      group_help(group, i >= argc ? stderr : stdout);
      return i >= argc ? EX_USAGE : EX_OK;
    }
    const char *name = argv[i++];
    for (size_t k = 0; k < NCOMMANDS; k++)
      if (strcmp(commands[k].group, group) == 0 && commands[k].name &&
          strcmp(commands[k].name, name) == 0)
        cmd = &commands[k];
    if (!cmd) {
      fprintf(stderr, "psvc: unknown subcommand '%s %s'\n", group, name);
      group_help(group, stderr);
      return EX_USAGE;
    }
  }
  c.group = cmd->group;
  c.name = cmd->name;
  int dashdash = 0;
  for (; i < argc; i++) {
    if (!dashdash && strcmp(argv[i], "--") == 0) {
      dashdash = 1;
      continue;
    }
    if (!dashdash && strcmp(argv[i], "-h") == 0) {
      fputs(cmd->help, stdout);
      return EX_OK;
    }
    if (!dashdash && strncmp(argv[i], "--", 2) == 0) {
      if ((rc = take_option(&c, cmd, argc, argv, &i)) != 0)
        return rc;
      continue;
    }
    if (c.npos >= (int)(sizeof c.pos / sizeof c.pos[0]))
      return usage_error("too many arguments%s", "", cmd);
    c.pos[c.npos++] = argv[i];
  }
  if (opt_has(&c, "help")) {
    fputs(cmd->help, stdout);
    return EX_OK;
  }
  if ((rc = apply_globals(&c, cmd)) != 0)
    return rc;
  rc = cmd->fn(&c);
  db_close(&c);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "psvc: writing the output failed: %s\n", strerror(errno));
    if (rc == EX_OK)
      rc = EX_OTHER;
  }
  return rc;
}

/* ---- the journal --------------------------------------------------------------------- */

int load_calendar(const char *path, psvc_calendar **out) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return fail(errno == ENOENT ? EX_NOTFOUND : EX_INPUT, "%s: %s", path, strerror(errno));
  size_t cap = 4096, len = 0;
  char *text = malloc(cap);
  while (text) {
    len += fread(text + len, 1, cap - len - 1, f);
    if (len + 1 < cap)
      break;
    cap *= 2;
    char *nt = realloc(text, cap);
    if (!nt)
      free(text);
    text = nt;
  }
  fclose(f);
  if (!text)
    return fail(EX_OTHER, "%s: out of memory", path);
  text[len] = 0;
  char *err = NULL;
  int rc = strlen(text) != len ? PSVC_EPARSE : psvc_calendar_parse(text, out, &err);
  free(text);
  if (rc == PSVC_EPARSE && err && strncmp(err, "line ", 5) == 0) {
    /* "line N: what" -> "FILE:N: what" */
    char *colon = strchr(err, ':');
    fprintf(stderr, "psvc: %s:%.*s:%s\n", path, colon ? (int)(colon - err - 5) : 0, err + 5,
            colon ? colon + 1 : err);
  } else if (rc == PSVC_EPARSE && !err)
    fprintf(stderr, "psvc: %s: a NUL byte in a calendar file\n", path);
  else if (rc)
    fprintf(stderr, "psvc: %s: %s\n", path, err ? err : libmsg(NULL));
  psvc_free(err);
  return exit_for(rc);
}

int db_open(cli *c, int must_exist) {
  struct stat st;
  int rc;
  psvc_calendar *cal = NULL;
  if (c->profile) { /* a bad --profile or --calendar must not create a journal */
    psvc_ctx *probe;
    if (psvc_ctx_open(&probe, NULL) != PSVC_OK)
      return fail(EX_OTHER, "out of memory");
    rc = psvc_policy_profile(probe, c->profile);
    psvc_ctx_close(probe);
    if (rc != PSVC_OK)
      return fail(EX_USAGE, "--profile: unknown profile '%s' (seed, sgcc, gbt28583)",
                  c->profile);
  }
  if (c->calendar && (rc = load_calendar(c->calendar, &cal)) != EX_OK)
    return rc;
  if (must_exist && stat(c->db, &st) != 0) {
    psvc_calendar_free(cal);
    return fail(EX_NOTFOUND, "%s: no journal here (%s); give --db PATH, or create one with "
                             "`psvc import` or `psvc customer add`",
                c->db, strerror(errno));
  }
  rc = psvc_store_journal(&c->store, c->db);
  if (rc == PSVC_OK && (rc = psvc_ctx_open(&c->ctx, &c->store)) != PSVC_OK)
    c->ctx = NULL;
  if (rc != PSVC_OK) {
    psvc_calendar_free(cal);
    return fail_lib(rc, NULL, "%s", c->db);
  }
  if (c->profile)
    psvc_policy_profile(c->ctx, c->profile);
  if (cal) {
    rc = psvc_ctx_set_calendar(c->ctx, "default", cal);
    psvc_calendar_free(cal);
    if (rc)
      return fail_lib(rc, c->ctx, "%s", c->calendar);
  }
  return EX_OK;
}

void db_close(cli *c) {
  psvc_ctx_close(c->ctx);
  c->ctx = NULL;
}
