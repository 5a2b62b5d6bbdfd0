"""Tests of tools/gen/generate.py itself: naming, determinism, incremental writes, --list-outputs,
--check-docs, and the errors it reports for schemas it cannot handle. Run by CTest (gen_generator_py)."""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GEN = os.path.join(ROOT, "tools", "gen")
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
sys.path.insert(0, GEN)

import naming  # noqa: E402


def run(*args):
    proc = subprocess.run([sys.executable, os.path.join(GEN, "generate.py")] + list(args),
                          capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def read_tree(root):
    out = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


API_HEAD = """\
openapi: 3.0.4
info: {title: t, version: 1.0.0}
"""


def doc(body):
    return API_HEAD + textwrap.dedent(body)


class Naming(unittest.TestCase):
    def test_snake_case(self):
        self.assertEqual(naming.snake("roomId"), "room_id")
        self.assertEqual(naming.snake("P2PMaxParticipants"), "p2p_max_participants")
        self.assertEqual(naming.snake("WebSocketMaxMessageBytes"), "web_socket_max_message_bytes")
        self.assertEqual(naming.snake("rtpServerUri"), "rtp_server_uri")

    def test_topic_constants(self):
        self.assertEqual(naming.pascal("voice.room.tier-upgraded"), "VoiceRoomTierUpgraded")
        self.assertEqual(naming.pascal("beta.thing_done"), "BetaThingDone")

    def test_enum_identifiers(self):
        self.assertEqual(naming.enum_identifier("p2p"), "p2p")
        self.assertEqual(naming.enum_identifier("consent_revoked"), "consent_revoked")
        self.assertEqual(naming.enum_identifier("in-progress"), "in_progress")
        self.assertEqual(naming.enum_identifier("delete"), "delete_")
        self.assertEqual(naming.enum_identifier("2fa"), "v2fa")
        self.assertEqual(naming.enum_identifier("NULL"), "NULL_")

    def test_cpp_string_escapes(self):
        self.assertEqual(naming.cpp_string('a"b\\c\nd'), '"a\\"b\\\\c\\nd"')


class Generation(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="onair-gen-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_deterministic_and_incremental(self):
        out_a, out_b = os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b")
        self.assertEqual(run("--schemas", FIXTURES, "--out", out_a)[0], 0)
        self.assertEqual(run("--schemas", FIXTURES, "--out", out_b)[0], 0)
        self.assertEqual(read_tree(out_a), read_tree(out_b))
        model = os.path.join(out_a, "gen", "alpha", "models.cpp")
        os.utime(model, (1_000_000, 1_000_000))
        code, out, _ = run("--schemas", FIXTURES, "--out", out_a)
        self.assertEqual(code, 0)
        self.assertIn("0 changed", out)
        self.assertEqual(os.stat(model).st_mtime, 1_000_000)  # unchanged content: file left alone

    def test_list_outputs_matches_written_files(self):
        out = os.path.join(self.tmp, "o")
        code, listed, _ = run("--schemas", FIXTURES, "--out", out, "--list-outputs")
        self.assertEqual(code, 0)
        self.assertFalse(os.path.exists(out))  # listing writes nothing
        run("--schemas", FIXTURES, "--out", out)
        written = sorted(os.path.join(out, p).replace(os.sep, "/") for p in read_tree(out))
        self.assertEqual(sorted(listed.split()), written)

    def test_stale_generated_files_are_removed(self):
        schemas = os.path.join(self.tmp, "schemas")
        shutil.copytree(FIXTURES, schemas)
        out = os.path.join(self.tmp, "o")
        run("--schemas", schemas, "--out", out)
        self.assertTrue(os.path.exists(os.path.join(out, "gen", "beta", "configuration.hpp")))
        os.remove(os.path.join(schemas, "beta-configuration.yaml"))
        self.assertEqual(run("--schemas", schemas, "--out", out)[0], 0)
        self.assertFalse(os.path.exists(os.path.join(out, "gen", "beta", "configuration.hpp")))

    def test_check_docs(self):
        doc = os.path.join(self.tmp, "configuration.md")
        code, _, err = run("--schemas", FIXTURES, "--check-docs", doc)
        self.assertEqual(code, 1)
        self.assertIn("out of date", err)
        self.assertEqual(run("--schemas", FIXTURES, "--docs", doc)[0], 0)
        self.assertEqual(run("--schemas", FIXTURES, "--check-docs", doc)[0], 0)
        with open(doc, encoding="utf-8") as fh:
            text = fh.read()
        self.assertIn("| `BETA_TOKEN` | string | `abcdef` | 4..8 characters | yes |", text)
        with open(doc, "a", encoding="utf-8") as fh:
            fh.write("edited by hand\n")
        self.assertEqual(run("--schemas", FIXTURES, "--check-docs", doc)[0], 1)

    def test_project_docs_are_current(self):
        doc = os.path.join(ROOT, "docs", "configuration.md")
        code, _, err = run("--schemas", os.path.join(ROOT, "schemas"), "--check-docs", doc)
        self.assertEqual(code, 0, err)


class Errors(unittest.TestCase):
    """Schemas the generator must refuse, with a message naming the file and the problem."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="onair-gen-err-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def expect_error(self, files, fragment):
        for name, text in files.items():
            with open(os.path.join(self.tmp, name), "w", encoding="utf-8") as fh:
                fh.write(text)
        code, _, err = run("--schemas", self.tmp, "--out", os.path.join(self.tmp, "out"))
        self.assertEqual(code, 2, err)
        self.assertIn(fragment, err)

    def test_unknown_file_name(self):
        self.expect_error({"x-models.yaml": doc("")}, "x-models.yaml: name must end in one of")

    def test_missing_ref(self):
        self.expect_error({"a-api.yaml": doc("""\
            paths: {}
            components:
              schemas:
                A:
                  type: object
                  properties:
                    b: {$ref: 'other-api.yaml#/components/schemas/B'}
            """)}, "names a file that is not in")

    def test_recursive_schema(self):
        self.expect_error({"a-api.yaml": doc("""\
            paths: {}
            components:
              schemas:
                Node:
                  type: object
                  properties:
                    next: {$ref: '#/components/schemas/Node'}
            """)}, "recursive schema Node -> Node")

    def test_only_post(self):
        self.expect_error({"a-api.yaml": doc("""\
            paths:
              /a/x:
                get:
                  operationId: x
                  x-permissions: []
                  responses: {'200': {description: ok}}
            """)}, "only POST operations are allowed")

    def test_permissions_required(self):
        self.expect_error({"a-api.yaml": doc("""\
            paths:
              /a/x:
                post:
                  operationId: x
                  responses: {'200': {description: ok}}
            """)}, "needs x-permissions")

    def test_path_prefix(self):
        self.expect_error({"a-api.yaml": doc("""\
            paths:
              /b/x:
                post:
                  operationId: x
                  x-permissions: []
                  responses: {'200': {description: ok}}
            """)}, "must start with /a/")

    def test_config_default_out_of_range(self):
        self.expect_error({"a-configuration.yaml": doc("""\
            x-service-configuration:
              properties:
                Port: {type: integer, env: A_PORT, default: 0, minimum: 1}
            """)}, "default is below minimum")

    def test_config_needs_default_or_nullable(self):
        self.expect_error({"a-configuration.yaml": doc("""\
            x-service-configuration:
              properties:
                Name: {type: string, env: A_NAME}
            """)}, "needs a default or nullable: true")

    def test_duplicate_component_in_one_service(self):
        model = """\
            paths: {}
            components:
              schemas:
                Dup: {type: object, properties: {}}
            """
        self.expect_error({"a-api.yaml": doc(model), "a-events.yaml": doc(model)},
                          "component Dup is also declared in")

    def test_enum_values_colliding_as_identifiers(self):
        self.expect_error({"a-api.yaml": doc("""\
            paths: {}
            components:
              schemas:
                E: {type: string, enum: [a-b, a_b]}
            """)}, "map to the same C++ name")

    def test_unsupported_one_of(self):
        self.expect_error({"a-api.yaml": doc("""\
            paths: {}
            components:
              schemas:
                U: {oneOf: [{type: string}, {type: integer}]}
            """)}, "oneOf is not supported")


if __name__ == "__main__":
    unittest.main()
