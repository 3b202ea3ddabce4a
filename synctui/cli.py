"""The `synctui` command: the dashboard without arguments, the service's methods as subcommands.

JSON output is Graph JSON. Exit codes: 0 success, 1 the operation ran and failed, 2 bad usage or
bad input. Errors are one line on stderr starting `error:`; no traceback reaches a user.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from collections.abc import Callable, Container, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import orjson

from .cycle_process import PROGRESS_FLAG

if TYPE_CHECKING:  # imported when a command runs: `--help` need not load the service
    from .models import SynchronizationTaskExecution
    from .service import SyncService

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input on the command line (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def main(argv: Sequence[str] | None = None) -> int:
    code = _run(argv)
    if argv is None:
        # Run as the `synctui` command, the process ends as this returns. Python's last collection
        # at exit would walk every object the command left (~20 ms of a `jobs provision`) to find
        # garbage that the end of the process frees anyway: frozen, they are left to it.
        gc.freeze()
    return code


def _run(argv: Sequence[str] | None) -> int:
    parser = _build_parser(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        return args.handler(args) if hasattr(args, "handler") else _dashboard(args)
    except UsageError as error:
        return _fail(str(error), EXIT_USAGE)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`synctui logs JOB | head -1`): end quietly, as Unix tools do, and
        # keep Python from reporting the same broken pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # what a shell reports for a tool ended by SIGPIPE
    except Exception as error:  # noqa: BLE001 - the one place that turns any failure into a message
        from .errors import SynctuiError, shortened

        if isinstance(error, SynctuiError):
            message = str(error)
            problems = getattr(error, "problems", [])
            if problems:
                message += ": " + "; ".join(shortened(problems))
            return _fail(message, _exit_code(error))
        return _fail(f"{type(error).__name__}: {error}", EXIT_FAILED)


def _exit_code(error: Exception) -> int:
    """Bad input (a request refused as given, an id that names nothing) is a usage error; any other
    failure of synctui's is one of an operation that ran."""
    from .errors import InvalidRequest, NotFound

    return EXIT_USAGE if isinstance(error, InvalidRequest | NotFound) else EXIT_FAILED


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters and bidirectional overrides: in a name or a server's message they could move
the cursor, recolour the terminal, or make one name look like another."""


def _say(text: str, *, file: TextIO | None = None, end: str = "\n") -> None:
    """Print a line of human output; text from the store or a server can hold anything, so what
    a terminal would act on is shown escaped (`\x1b`)."""
    print(_UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode(), text), file=file, end=end)


def _fail(message: str, code: int) -> int:
    _say(f"error: {message}", file=sys.stderr)
    return code


# --- commands ------------------------------------------------------------------------------------


def _service(args: argparse.Namespace) -> SyncService:
    # Importing the service makes some 300,000 objects that live as long as the process and no
    # garbage: collections meanwhile would only walk them again and again (~10 ms of a command's
    # start), and so would every young collection after. Frozen, they are left alone.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from .bootstrap import open_service
        from .store import Home
    finally:
        if collecting:
            gc.freeze()
            gc.enable()

    service = open_service(Home.locate(args.home))
    for warning in service.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return service


def _print_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def _graph(model: Any) -> Any:
    return model.model_dump(mode="json")


def _positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return number


def _key_values(pairs: Sequence[str], what: str) -> dict[str, str]:
    from .key_values import split_pair

    result = {}
    for text in pairs:
        pair = split_pair(text)
        if pair is None:
            raise UsageError(f"{what} {text!r} must look like KEY=VALUE")
        result[pair[0]] = pair[1]
    return result


def _dashboard(args: argparse.Namespace) -> int:
    from .bootstrap import open_service
    from .store import Home
    from .tui.app import run_dashboard

    # Cycles in processes of their own: the dashboard keeps the interpreter for its keys.
    service = open_service(Home.locate(args.home), cycles_in_processes=True)
    server = _graph_server(args, service)
    try:
        code = run_dashboard(service, graph_url=server.url if server else None)
    finally:
        if server is not None:
            server.stop()
    # Everything is saved (the store writes as it goes), the scheduler and the Graph server have
    # stopped: what is left of the interpreter's own shutdown is freeing, one by one, the objects
    # the dashboard made, a second or more of a quit on a busy machine. End now instead. (logging
    # is imported here: the dashboard's libraries have loaded it, the other commands need not.)
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _templates_list(args: argparse.Namespace) -> int:
    service = _service(args)
    items = service.list_templates()
    if args.json:
        _print_json({"value": [_graph(t) for t in items]})
    else:
        for template in items:
            _say(f"{template.id:<12} {template.description}")
    return EXIT_OK


def _templates_get(args: argparse.Namespace) -> int:
    _print_json(_graph(_service(args).get_template(args.id)))
    return EXIT_OK


def _jobs_list(args: argparse.Namespace) -> int:
    service = _service(args)  # first: it imports the models with collections paused
    if args.json:
        _print_json({"value": [_graph(job) for job in service.list_jobs()]})
        return EXIT_OK
    from .models import format_duration
    from .tui.format import last_result, next_run_text

    summaries = service.job_summaries()
    if not summaries:
        _say("No jobs. Create one with `synctui jobs create --template jsonfile`.")
    now = service.clock.now()
    for summary in summaries:
        job = summary.job
        status, schedule = job.required_status(), job.required_schedule()
        _say(
            f"{job.id}  {summary.name}  [{status.code.value}] schedule={schedule.state.value} "
            f"every {format_duration(schedule.interval)}  last={last_result(job).plain.replace('—', '-')}  "
            f"next={next_run_text(summary.next_run, now, running=summary.running).plain.replace('—', '-')}"
        )
    return EXIT_OK


def _jobs_create(args: argparse.Namespace) -> int:
    service = _service(args)
    job = service.create_job(
        args.template,
        name=args.name,
        secrets=_key_values(args.secret, "secret"),
        settings=_key_values(args.setting, "setting"),
        interval=args.interval,
    )
    if args.json:
        _print_json(_graph(job))
    else:
        _say(job.id or "")  # a created job always has its id
    problem = service.configuration_problem(job.id or "")
    if problem:  # created as Graph creates it, but it cannot start until that is set
        _say(f"warning: {problem}", file=sys.stderr)
    return EXIT_OK


def _jobs_update(args: argparse.Namespace) -> int:
    settings: dict[str, str | None] = {**_key_values(args.setting, "setting")}
    for name in args.unset:
        if name.strip().lower() in {key.lower() for key in settings}:
            raise UsageError(f"setting {name.strip()} is both set and unset; give one of --setting or --unset")
        settings[name.strip()] = None
    if args.name is None and args.interval is None and not settings:
        raise UsageError("nothing to change: give --name, --interval, --setting NAME=VALUE or --unset NAME")
    job = _service(args).update_job(args.job_id, name=args.name, interval=args.interval, settings=settings)
    if args.json:
        _print_json(_graph(job))
    return EXIT_OK


def _jobs_get(args: argparse.Namespace) -> int:
    _print_json(_graph(_service(args).get_job(args.job_id)))
    return EXIT_OK


def _jobs_action(action: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        getattr(_service(args), f"{action}_job")(args.job_id)
        return EXIT_OK

    return run


def _jobs_test_connection(args: argparse.Namespace) -> int:
    _service(args).validate_credentials(args.job_id)
    _say("connection OK: the source and the target both answer")
    return EXIT_OK


def _jobs_restart(args: argparse.Namespace) -> int:
    service = _service(args)
    consequence = _restart_consequence(args.scope)
    if consequence and not args.yes:
        name = service.job_summary(args.job_id).name
        question = f"Restart {name} ({args.job_id}) with {args.scope.strip()}: it {consequence}"
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise UsageError(f"{question}; no terminal to confirm on: add --yes to restart anyway")
        _say(f"{question}. Restart? [y/N] ", file=sys.stderr, end="")
        if input().strip().lower() not in ("y", "yes"):
            _say("Not restarted.", file=sys.stderr)
            return EXIT_FAILED
    service.restart_job(args.job_id, args.scope)
    return EXIT_OK


def _restart_consequence(scope: str | None) -> str | None:
    """What a restart with `scope` does that cannot be undone, or None (a bad scope is the service's to refuse)."""
    from .models import SynchronizationJobRestartScope as Scope
    from .models import parse_flags

    try:
        flags = parse_flags(scope, Scope)
    except ValueError:
        return None
    consequences = []
    if Scope.ConnectorDataStore in flags:
        consequences.append("forgets every source↔target link, so every object is matched again")
    if Scope.ForceDeletes in flags:
        consequences.append("exports the deletes held back by the accidental-deletion threshold")
    return " and ".join(consequences) or None


def _trace_printer(enabled: bool) -> Callable[[dict[str, Any]], None] | None:
    if not enabled:
        return None

    def trace(record: dict[str, Any]) -> None:
        # One write per record: requests may come from several threads at once.
        sys.stderr.write(orjson.dumps(record).decode() + "\n")

    return trace


def _jobs_run(args: argparse.Namespace) -> int:
    import signal

    service = _service(args)
    # Stops the cycle at its next checkpoint, as a pause does; the next run goes on from there.
    signal.signal(signal.SIGTERM, lambda *_: service.stop_all())
    if args.progress_lines:  # for a parent process (see cycle_process.py)
        from .cycle_process import report_cycle

        report_cycle(service, args.job_id)
        return EXIT_OK
    return _cycle_done(
        service, args.job_id, service.run_cycle(args.job_id, trace=_trace_printer(args.trace)), args.json
    )


def _cycle_done(service: SyncService, job_id: str, execution: SynchronizationTaskExecution, as_json: bool) -> int:
    """Print what a cycle did; exit 1 if it failed or ended in quarantine (its deletes held back, too
    many errors): a script must not take a held-back cycle for a success."""
    from .tui.format import cycle_report

    summary = service.job_summary(job_id)
    if as_json:
        _print_json(_graph(execution))
    else:
        for line in cycle_report(execution, summary.job, summary.next_run, len(service.escrows(job_id))):
            _say(line)
    quarantined = summary.job.required_status().quarantine is not None
    return EXIT_FAILED if execution.state.value == "Failed" or quarantined else EXIT_OK


def _jobs_allow_deletes(args: argparse.Namespace) -> int:
    service = _service(args)
    held = service.held_deletes(args.job_id)
    _say(f"Allowing the deletes disables or deletes {len(held)} target object(s):")
    for entry in held:
        target = entry.get("targetIdentity") or entry["sourceIdentity"]
        _say(f"  {entry['provisioningAction']:<8} {target['identityType']} {target.get('displayName') or target['id']}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError("no terminal to ask on: give --yes to allow these deletes")
        if input("Allow them and run the cycle now? [y/N] ").strip().lower() not in ("y", "yes"):
            _say("Nothing changed: the deletes stay held back.")
            return EXIT_FAILED
    execution = service.allow_deletes(args.job_id)
    if execution is None:
        _say("Deletes allowed: a cycle of the job started meanwhile and makes them.")
        return EXIT_OK
    return _cycle_done(service, args.job_id, execution, False)


def _jobs_preview(args: argparse.Namespace) -> int:
    entries = _service(args).preview(args.job_id)
    if args.json:
        _print_json({"value": entries})
        return EXIT_OK
    if not entries:
        _say("Nothing to do: the target already matches the source.")
    for entry in entries:
        source = entry["sourceIdentity"]
        status = entry["statusInfo"]
        line = f"{entry['provisioningAction']:<12} {source['identityType']} {source.get('displayName') or source['id']}"
        if status["status"] == "failure":
            line += f"  FAILS: {status['errorCode']}: {status['reason']}"
        _say(line)
        for change in entry["modifiedProperties"]:
            _say(f"    {change['displayName']}: {change['oldValue']!s} → {change['newValue']!s}")
    return EXIT_OK


def _jobs_provision(args: argparse.Namespace) -> int:
    service = _service(args)  # first: it imports the service with collections paused
    from .service import on_demand_summary

    result = service.provision_on_demand(args.job_id, args.object, args.type, trace=_trace_printer(args.trace))
    # Graph sends both halves as JSON text; printed as the objects they are, so tools read them as JSON.
    outcome, entry = orjson.loads(result.key or "{}"), orjson.loads(result.value or "{}")
    _print_json({"key": outcome, "value": entry})
    _say(on_demand_summary(outcome), file=sys.stderr)
    return EXIT_FAILED if outcome.get("result") == "Failure" else EXIT_OK


def _jobs_escrows(args: argparse.Namespace) -> int:
    service = _service(args)
    if args.retry is not None:
        count = service.retry_escrows(args.job_id, args.retry or None)
        _say(f"{count} escrowed object(s) will be retried on the next cycle.")
        return EXIT_OK
    if args.dismiss:
        count = service.dismiss_escrows(args.job_id, args.dismiss)
        _say(f"{count} escrow(s) dismissed: retried again only when the object changes.")
        return EXIT_OK
    escrows = service.escrows(args.job_id)
    if args.json:
        _print_json({"value": escrows})
        return EXIT_OK
    if not escrows:
        _say("No escrows: no object is waiting for a retry.")
    for escrow in escrows:
        _say(
            f"{escrow['key']} {escrow.get('displayName') or escrow['sourceId']}: {escrow['error']['code']}: "
            f"{escrow['error']['message']} (attempts {escrow['attempts']}, back-off ends {escrow['nextRetry']}, "
            f"retried {'by the cycle at ' + escrow['retryAt'] if 'retryAt' in escrow else 'once the job is started'})"
        )
    return EXIT_OK


def _assignments_list(args: argparse.Namespace) -> int:
    assignments = _service(args).assignments(args.job_id)
    if args.json:
        _print_json({"value": [assignment.resource for assignment in assignments]})
        return EXIT_OK
    if not assignments:
        _say(f"Nothing is assigned to job {args.job_id}; `synctui assignments add {args.job_id} --group ID` assigns.")
    for assignment in assignments:
        _say(_assignment_line(assignment))
    return EXIT_OK


def _assignments_add(args: argparse.Namespace) -> int:
    principal_type, principal_id = ("User", args.user) if args.user else ("Group", args.group)
    assignment = _service(args).assign(args.job_id, principal_type, principal_id, args.role)
    _say(f"Assigned: {_assignment_line(assignment)}")
    return EXIT_OK


def _assignments_remove(args: argparse.Namespace) -> int:
    assignment = _service(args).unassign(args.job_id, args.assignment_id)
    _say(f"Removed: {_assignment_line(assignment)}")
    return EXIT_OK


def _assignment_line(assignment: Any) -> str:
    resource = assignment.resource
    name = resource.get("principalDisplayName") or resource["principalId"]
    return (
        f"{resource['id']}  {resource['principalType']:<5}  {name} ({resource['principalId']})  role {assignment.role}"
    )


def _schema_get(args: argparse.Namespace) -> int:
    _print_json(_graph(_service(args).get_schema(args.job_id)))
    return EXIT_OK


def _schema_put(args: argparse.Namespace) -> int:
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {args.file}: {error.strerror}") from None
    from .schema_validation import DocumentError, schema_document

    try:
        document = schema_document(raw, args.file)
    except DocumentError as error:
        raise UsageError(str(error)) from None
    schema = _service(args).put_schema(args.job_id, document)
    _say(f"schema saved (version {schema.version}); the next cycle re-evaluates every object")
    return EXIT_OK


def _schema_discover(args: argparse.Namespace) -> int:
    _print_json(_graph(_service(args).discover_directory(args.job_id)))
    return EXIT_OK


def _schema_functions(args: argparse.Namespace) -> int:
    from .expressions import function_catalogue

    _print_json({"value": [_graph(f) for f in function_catalogue()]})
    return EXIT_OK


def _schema_operators(args: argparse.Namespace) -> int:
    from .expressions import filter_operators

    _print_json({"value": [_graph(o) for o in filter_operators()]})
    return EXIT_OK


def _secrets_put(args: argparse.Namespace) -> int:
    _service(args).put_secrets(args.job_id, _key_values(args.pairs, "secret"))
    return EXIT_OK


def _expression_test(args: argparse.Namespace) -> int:
    from .expressions import parse_expression

    test_input = None
    if args.input is not None:
        try:
            test_input = orjson.loads(args.input)
        except orjson.JSONDecodeError as error:
            raise UsageError(f"--input is not valid JSON: {error}") from None
        if not isinstance(test_input, dict):
            raise UsageError('--input must be a JSON object of attribute values, like {"mail": "a@b.example"}')
    response = parse_expression(args.expression, test_input)
    _print_json(_graph(response))
    if not response.parsing_succeeded:
        return EXIT_USAGE
    return EXIT_OK if response.evaluation_succeeded or test_input is None else EXIT_FAILED


def _logs(args: argparse.Namespace) -> int:
    if args.requests:
        if args.format == "csv":
            raise UsageError("--requests prints as text or --format json; --format csv is for the provisioning log")
        return _request_log(args)
    from .store.log_query import logs_csv

    service = _service(args)
    page = service.log_page(args.job_id, _log_query(args, service), limit=args.limit)
    entries = page.entries
    if args.format == "json":
        _print_json({"value": entries})
    elif args.format == "csv":
        sys.stdout.write(logs_csv(entries))
    for entry in entries if args.format == "text" else ():
        status = entry["statusInfo"]
        source = entry["sourceIdentity"]
        line = (
            f"{entry['activityDateTime']}  {entry['provisioningAction']:<12} {status['status']:<8} "
            f"{source['identityType']} {source.get('displayName') or source['id']}"
        )
        if status.get("errorCode"):
            line += f"  {status['errorCode']}: {status.get('reason')}"
        _say(line)
    # How many there are, on stderr: a pipe gets the entries alone.
    counted = f"{page.matched} of {page.total} entries match" if page.matched != page.total else f"{page.total} entries"
    _say(f"{counted}; {len(entries)} shown, newest first", file=sys.stderr)
    return EXIT_OK


def _log_query(args: argparse.Namespace, service: SyncService) -> Any:
    from .store.log_query import LogQuery, parse_moment

    def moment(option: str, text: str | None) -> Any:
        try:
            return parse_moment(text, service.clock.now()) if text else None
        except ValueError:
            raise UsageError(
                f"{option} {text!r} is not a date: write 2025-03-01, 2025-03-01T09:00:00Z, "
                "or a duration back from now such as PT1H or P7D"
            ) from None

    return LogQuery(
        since=moment("--since", args.since),
        until=moment("--until", args.until),
        identity=args.identity or "",
        action=args.action or "",
        status=args.status or "",
        text=args.search or "",
    )


def _demo_churn(args: argparse.Namespace) -> int:
    _say(_service(args).simulate_changes(args.seed))
    return EXIT_OK


def _keymap(args: argparse.Namespace) -> int:
    from .tui.keymap import EXAMPLE, PREFERENCE, known_bindings, parse_keymap

    service = _service(args)
    if args.keymap is None:
        _print_json(service.preference(PREFERENCE) or {})
        return EXIT_OK
    try:
        value = orjson.loads(args.keymap)
    except orjson.JSONDecodeError as error:
        raise UsageError(f"the keymap is not valid JSON ({error}); write it like {EXAMPLE}") from None
    keymap, problem = parse_keymap(value, frozenset(known_bindings()))
    if problem:
        raise UsageError(f"the keymap is not usable: {problem}")
    service.set_preference(PREFERENCE, keymap or None)
    _say("Keymap saved: the dashboard uses it from its next start." if keymap else "Keymap cleared: the default keys.")
    return EXIT_OK


def _request_log(args: argparse.Namespace) -> int:
    records = _service(args).request_log(args.job_id, args.limit)
    if args.format == "json":
        _print_json({"value": records})
        return EXIT_OK
    if not records:
        _say("No requests recorded. Turn on the job setting TraceRequests=true to record them.")
    for record in records:
        _say(f"{record.get('method')} {record.get('path')} → {record.get('status')} ({record.get('duration_ms')} ms)")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import signal

    from .scheduler import Scheduler

    service = _service(args)
    server = _graph_server(args, service)
    scheduler = Scheduler(service)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.stop())
    _say(f"synctui: running the scheduler for {service.home.root} (Ctrl-C stops)", file=sys.stderr)
    if server is not None:
        _say(f"synctui: Graph API at {server.url} (token: `synctui graph token`)", file=sys.stderr)
    scheduler.start()
    try:
        scheduler.wait()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.stop()
        if server is not None:
            server.stop()
    return EXIT_OK


def _bulk_upload(args: argparse.Namespace) -> int:
    try:
        payload = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {args.file}: {error.strerror}") from None
    service = _service(args)
    count = service.bulk_upload(args.job_id, payload)
    _say(f"{count} operation(s) staged; `synctui logs {args.job_id}` shows their outcome after the next cycle")
    if service.get_job(args.job_id).required_schedule().state.value != "Active":
        _say(f"the job is not started, so nothing runs yet: `synctui jobs start {args.job_id}`")
    return EXIT_OK


def _bulk_staged(args: argparse.Namespace) -> int:
    operations = _service(args).staged_operations(args.job_id)
    if args.json:
        _print_json({"value": operations})
        return EXIT_OK
    if not operations:
        _say(f"Nothing staged. Send a SCIM BulkRequest with `synctui bulk upload {args.job_id} FILE`.")
    for operation in operations:
        state = "processed" if operation["processed"] else "waiting"
        _say(f"{operation['receivedDateTime']}  {state:<9} {operation['bulkId']}  externalId={operation['externalId']}")
    return EXIT_OK


def _graph_server(args: argparse.Namespace, service: SyncService) -> Any:
    """The Graph endpoint `--graph` asks for, started; None without the flag."""
    if args.graph is None:
        if args.allow_remote or args.tls_cert or args.tls_key:
            raise UsageError("--allow-remote, --tls-cert and --tls-key go with --graph [HOST:]PORT")
        return None
    from .graph import GraphServer, Tls, check_exposure, graph_token, parse_address

    if bool(args.tls_cert) != bool(args.tls_key):
        raise UsageError("give both --tls-cert FILE and --tls-key FILE, or neither")
    tls = Tls(Path(args.tls_cert), Path(args.tls_key)) if args.tls_cert else None
    address = parse_address(args.graph)
    check_exposure(address, allow_remote=args.allow_remote, tls=tls)
    return GraphServer(service, graph_token(service.home.root), address, tls=tls).start()


def _graph_token(args: argparse.Namespace) -> int:
    from .graph import graph_token, rotate_token, token_path
    from .store import Home

    home = Home.locate(args.home)
    home.ensure()
    token = rotate_token(home.root) if args.rotate else graph_token(home.root)
    print(token)
    if args.rotate:
        _say(f"a new token is in {token_path(home.root)}; restart a running server to use it", file=sys.stderr)
    return EXIT_OK


def _add_graph_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--graph",
        nargs="?",
        const="",
        metavar="[HOST:]PORT",
        help="also serve Graph's synchronization API there (default 127.0.0.1:8770); see `synctui graph token`",
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="let --graph listen beyond loopback (needs --tls-cert/--tls-key)"
    )
    parser.add_argument("--tls-cert", metavar="FILE", help="the certificate (PEM) the Graph endpoint serves HTTPS with")
    parser.add_argument("--tls-key", metavar="FILE", help="the private key (PEM) of --tls-cert")


# --- the parser ---------------------------------------------------------------------------------


def _build_parser(words: Container[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. `words`: the command line's words, if only the branch they can
    reach is wanted: a group's commands are added only when the group's name is one of them (argparse
    picks a subcommand by its exact name). Each parser argparse makes translates its help strings,
    each argument makes a help formatter: ~5 ms of a command's start for the whole tree, which
    `--help` and the tests use. None: the whole tree."""

    parser = _Parser(prog="synctui", description="Local Entra-style provisioning jobs, with a dashboard.")
    parser.add_argument("--home", metavar="DIR", help="home folder (default: $SYNCTUI_HOME or ~/.local/share/synctui)")
    _add_graph_flags(parser)
    commands = parser.add_subparsers(metavar="COMMAND", parser_class=_Parser)

    def group(name: str, help: str, add_commands: Callable[[argparse._SubParsersAction[_Parser]], None]) -> None:
        sub = commands.add_parser(name, help=help, description=help)

        def show_help(args: argparse.Namespace) -> int:
            sub.print_help()
            return EXIT_USAGE

        sub.set_defaults(handler=show_help)
        if words is None or name in words:
            add_commands(sub.add_subparsers(metavar="ACTION", parser_class=_Parser))

    group("templates", "built-in job templates", _templates_commands)
    group("jobs", "synchronization jobs", _jobs_commands)
    group(
        "assignments",
        "users and groups assigned to a job's application (its scope when SyncAll=false)",
        _assignments_commands,
    )
    group("schema", "a job's synchronization schema", _schema_commands)
    group("secrets", "a job's secrets (write-only)", _secrets_commands)
    group("expression", "the mapping expression language", _expression_commands)

    logs = _command(commands, "logs", _logs, "a job's provisioning log, newest first")
    logs.add_argument("job_id")
    logs.add_argument("--format", choices=["text", "json", "csv"], default="text", help="json: Graph JSON")
    logs.add_argument("--json", action="store_const", dest="format", const="json", help="the same as --format json")
    logs.add_argument("--limit", type=_positive_int, default=None, metavar="N", help="the newest N entries")
    logs.add_argument("--since", metavar="WHEN", help="written at or after WHEN: 2025-03-01, 2025-03-01T09:00:00Z, P7D")
    logs.add_argument("--until", metavar="WHEN", help="written before WHEN (the same forms)")
    logs.add_argument("--identity", metavar="TEXT", help="the id, or part of the name, of the source or target object")
    logs.add_argument("--action", choices=["create", "update", "delete", "disable", "other"])
    logs.add_argument("--status", choices=["success", "failure", "skipped", "warning"])
    logs.add_argument("--search", metavar="TEXT", help="part of any value of the entry")
    logs.add_argument(
        "--requests",
        action="store_true",
        help="the requests sent to the target (recorded while the job setting TraceRequests=true)",
    )

    group("demo", "make the demo move", _demo_commands)

    keymap = _command(
        commands, "keymap", _keymap, "show or set the dashboard's keys: a JSON object of binding id → keys"
    )
    keymap.add_argument("keymap", nargs="?", metavar="JSON", help="e.g. '{\"jobs.start\": \"S\"}'; '{}' clears it")

    _add_graph_flags(_command(commands, "serve", _serve, "run the scheduler without the dashboard until interrupted"))

    group("bulk", "API-driven inbound provisioning: SCIM BulkRequests for an apiInbound job", _bulk_commands)
    group("graph", "the Graph endpoint (`synctui serve --graph`)", _graph_commands)
    return parser


def _command(
    group: argparse._SubParsersAction[_Parser], name: str, handler: Callable[[argparse.Namespace], int], help: str
) -> argparse.ArgumentParser:
    sub = group.add_parser(name, help=help, description=help)
    sub.set_defaults(handler=handler)
    return sub


def _templates_commands(templates: argparse._SubParsersAction[_Parser]) -> None:
    _command(templates, "list", _templates_list, "list the templates").add_argument("--json", action="store_true")
    _command(templates, "get", _templates_get, "a template with its default schema (Graph JSON)").add_argument("id")


def _jobs_commands(jobs: argparse._SubParsersAction[_Parser]) -> None:
    _command(jobs, "list", _jobs_list, "list the jobs").add_argument("--json", action="store_true")
    create = _command(jobs, "create", _jobs_create, "create a job from a template")
    create.add_argument("--template", required=True, metavar="ID")
    create.add_argument("--name", metavar="TEXT")
    create.add_argument("--secret", action="append", default=[], metavar="KEY=VALUE")
    create.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE")
    create.add_argument("--interval", metavar="DURATION", help="ISO 8601, from PT1S to P365D, e.g. PT40M (default)")
    create.add_argument("--json", action="store_true")
    _command(jobs, "get", _jobs_get, "a job (Graph JSON)").add_argument("job_id")
    update = _command(jobs, "update", _jobs_update, "change a job's name, interval or settings (Graph's PATCH)")
    update.add_argument("job_id")
    update.add_argument("--name", metavar="TEXT")
    update.add_argument("--interval", metavar="DURATION", help="ISO 8601, from PT1S to P365D, e.g. PT40M")
    update.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE")
    update.add_argument("--unset", action="append", default=[], metavar="NAME", help="remove a setting")
    update.add_argument("--json", action="store_true", help="print the job (Graph JSON)")
    for action, help in (
        ("start", "start (or resume) a job; lifts quarantine"),
        ("pause", "pause a job, keeping its state"),
        ("delete", "delete a job and its state (target objects stay)"),
    ):
        _command(jobs, action, _jobs_action(action), help).add_argument("job_id")
    _command(
        jobs, "test-connection", _jobs_test_connection, "check that the job's source and target can be reached"
    ).add_argument("job_id")
    restart = _command(jobs, "restart", _jobs_restart, "restart a job with reset scopes")
    restart.add_argument("job_id")
    restart.add_argument("--scope", metavar="FLAGS", help='e.g. "Watermark, Escrows" or Full or ForceDeletes')
    restart.add_argument(
        "--yes", action="store_true", help="restart without asking (Full, ConnectorDataStore and ForceDeletes ask)"
    )
    run = _command(jobs, "run", _jobs_run, "run one cycle now, in the foreground")
    run.add_argument("job_id")
    run.add_argument("--json", action="store_true")
    run.add_argument("--trace", action="store_true", help="print every request to the target on stderr")
    run.add_argument(PROGRESS_FLAG, dest="progress_lines", action="store_true", help=argparse.SUPPRESS)
    allow = _command(
        jobs,
        "allow-deletes",
        _jobs_allow_deletes,
        "list the disables and deletes a TooManyDeletes quarantine holds back, then allow them and run the cycle now",
    )
    allow.add_argument("job_id")
    allow.add_argument("--yes", action="store_true", help="do not ask first")
    preview = _command(jobs, "preview", _jobs_preview, "what a cycle would do, exporting nothing")
    preview.add_argument("job_id")
    preview.add_argument("--json", action="store_true")
    provision = _command(jobs, "provision", _jobs_provision, "provision one object on demand")
    provision.add_argument("job_id")
    provision.add_argument("--object", required=True, metavar="OBJECT_ID")
    provision.add_argument("--type", default="User", metavar="TYPE")
    provision.add_argument("--trace", action="store_true", help="print every request to the target on stderr")
    escrows = _command(jobs, "escrows", _jobs_escrows, "objects waiting for a retry")
    escrows.add_argument("job_id")
    escrows.add_argument("--json", action="store_true")
    retry_or_dismiss = escrows.add_mutually_exclusive_group()
    retry_or_dismiss.add_argument(
        "--retry", nargs="*", metavar="KEY", help="retry these escrows (all when no KEY is given) on the next cycle"
    )
    retry_or_dismiss.add_argument("--dismiss", nargs="+", metavar="KEY", help="forget these escrows")


def _assignments_commands(assignments: argparse._SubParsersAction[_Parser]) -> None:
    listing = _command(assignments, "list", _assignments_list, "the assignments to the job's application")
    listing.add_argument("job_id")
    listing.add_argument("--json", action="store_true")
    assign = _command(assignments, "add", _assignments_add, "assign a user or group of the job's source")
    assign.add_argument("job_id")
    who = assign.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", metavar="ID", help="a user's id")
    who.add_argument("--group", metavar="ID", help="a group's id (its direct members are in scope)")
    assign.add_argument("--role", metavar="VALUE", help="the app role's value (default: the default access role)")
    unassign = _command(assignments, "remove", _assignments_remove, "remove an assignment (the object leaves scope)")
    unassign.add_argument("job_id")
    unassign.add_argument(
        "assignment_id", help="as `assignments list` shows it (an id that begins with '-' goes after `--`)"
    )


def _schema_commands(schema: argparse._SubParsersAction[_Parser]) -> None:
    _command(schema, "get", _schema_get, "the job's schema (Graph JSON)").add_argument("job_id")
    put = _command(schema, "put", _schema_put, "replace the job's schema from a Graph JSON file ('-' = stdin)")
    put.add_argument("job_id")
    put.add_argument("file")
    _command(
        schema, "discover", _schema_discover, "refresh the target directory from the target (SCIM /Schemas); prints it"
    ).add_argument("job_id")
    _command(schema, "functions", _schema_functions, "the expression functions (Graph JSON)")
    _command(schema, "operators", _schema_operators, "the scoping filter operators (Graph JSON)")


def _secrets_commands(secrets: argparse._SubParsersAction[_Parser]) -> None:
    put_secrets = _command(secrets, "put", _secrets_put, "save secrets; values are never shown again")
    put_secrets.add_argument("job_id")
    put_secrets.add_argument("pairs", nargs="+", metavar="KEY=VALUE")


def _expression_commands(expression: argparse._SubParsersAction[_Parser]) -> None:
    test = _command(expression, "test", _expression_test, "parse an expression and evaluate it (Graph parseExpression)")
    test.add_argument("expression")
    test.add_argument("--input", metavar="JSON", help='attribute values, e.g. \'{"givenName": "Zoë"}\'')


def _demo_commands(demo: argparse._SubParsersAction[_Parser]) -> None:
    churn = _command(demo, "churn", _demo_churn, "change the tenant directory and HR file as a day at work would")
    churn.add_argument("--seed", type=int, default=None, help="the same seed makes the same changes")


def _bulk_commands(bulk: argparse._SubParsersAction[_Parser]) -> None:
    upload = _command(bulk, "upload", _bulk_upload, "stage a BulkRequest file ('-' = stdin), as Graph's bulkUpload")
    upload.add_argument("job_id")
    upload.add_argument("file")
    staged = _command(bulk, "staged", _bulk_staged, "the operations staged for the job, newest first")
    staged.add_argument("job_id")
    staged.add_argument("--json", action="store_true")


def _graph_commands(graph: argparse._SubParsersAction[_Parser]) -> None:
    token = _command(graph, "token", _graph_token, "print the bearer token Graph clients send (made at first use)")
    token.add_argument("--rotate", action="store_true", help="replace the token with a new one")


if __name__ == "__main__":
    sys.exit(main())
