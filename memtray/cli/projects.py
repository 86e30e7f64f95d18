"""``memtray projects [--json]``, ``projects link ID PATH`` and ``projects unlink ID``: which projects the vault
holds memory for, where each one lives on this laptop, and the person's fix when memtray cannot tell."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING

from memtray.cli.base import add_command, open_service, print_json
from memtray.model import ProjectInfo

if TYPE_CHECKING:
    from memtray.cli.base import SubCommands


def register(commands: SubCommands) -> None:
    projects = add_command(
        commands, "projects", cmd_projects, "list the projects the vault holds memory for, and where each lives here"
    )
    projects.add_argument("--json", action="store_true")
    actions = projects.add_subparsers(title="projects commands", metavar="ACTION")
    link = add_command(actions, "link", cmd_projects_link, "on this laptop, project ID lives in the folder PATH")
    link.add_argument("project", metavar="ID", help="the project's id, or its name if no other project has it")
    link.add_argument("path", metavar="PATH")
    unlink = add_command(actions, "unlink", cmd_projects_unlink, "let memtray find project ID by itself again")
    unlink.add_argument("project", metavar="ID")


def project_lines(project: ProjectInfo) -> list[str]:
    lines = [f"{project.name} · {project.identity} · {project.state.value}", f"  id: {project.project_id}"]
    if project.local_path:
        lines.append(f"  here: {project.local_path}")
    lines.append(f"  {project.detail}")
    return lines


def cmd_projects(args: argparse.Namespace) -> int:
    projects = open_service(args).projects()
    if args.json:
        print_json([{**asdict(project), "state": project.state.value} for project in projects])
        return 0
    for project in projects:
        print("\n".join(project_lines(project)))
    if not projects:
        print("No projects yet: the vault holds no Claude Code project memory and no project folders.")
    return 0


def cmd_projects_link(args: argparse.Namespace) -> int:
    project = open_service(args).link_project(args.project, args.path)
    print(f"Linked {project.name} to {args.path}. Its memory follows at the next sync.")
    print("\n".join(project_lines(project)))
    return 0


def cmd_projects_unlink(args: argparse.Namespace) -> int:
    open_service(args).unlink_project(args.project)
    print(f"Unlinked '{args.project}'. memtray finds it by its repository again from the next sync.")
    return 0
