"""Compact encoding of stored objects: compact JSON, deflated with a preset dictionary.

A finished Argo workflow repeats the same keys and phase words in every node, so deflate
with a dictionary primed with those words shrinks small objects far better than plain zlib.
The first byte names the encoding so the dictionary can change without breaking old rows.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

_RAW = b"r"
_DEFLATE_V1 = b"z"

# Strings that occur over and over in Argo objects; later entries get the shortest distances.
_DICTIONARY_V1 = (
    b'{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","metadata":{"name":"","namespace":"default",'
    b'"uid":"","resourceVersion":"","generation":1,"creationTimestamp":"","labels":{'
    b'"workflows.argoproj.io/completed":"true","workflows.argoproj.io/phase":"Succeeded"},"annotations":{'
    b'"workflows.argoproj.io/pod-name-format":"v2"}},"spec":{"entrypoint":"main","arguments":{},'
    b'"templates":[{"name":"","inputs":{},"outputs":{},"metadata":{},"container":{"image":"",'
    b'"command":["sh","-c"],"args":[""],"resources":{}},"script":{"image":"","source":""},'
    b'"steps":[[{"name":"","template":"","arguments":{}}]],"dag":{"tasks":[{"name":"","template":"",'
    b'"dependencies":[]}]}}],"serviceAccountName":"","podGC":{},"ttlStrategy":{"secondsAfterCompletion":'
    b'}},"status":{"phase":"Succeeded","startedAt":"","finishedAt":"","progress":"1/1",'
    b'"conditions":[{"type":"PodRunning","status":"False"},{"type":"Completed","status":"True"}],'
    b'"resourcesDuration":{"cpu":0,"memory":0},"storedTemplates":{},"artifactRepositoryRef":'
    b'{"default":true,"artifactRepository":{}},"artifactGCStatus":{"notSpecified":true},'
    b'"taskResultsCompletionStatus":{},"nodes":{"":{"id":"","name":"","displayName":"","type":"Pod",'
    b'"templateName":"","templateScope":"local/","phase":"Succeeded","boundaryID":"","message":"",'
    b'"startedAt":"","finishedAt":"","progress":"1/1","resourcesDuration":{"cpu":1,"memory":1},'
    b'"outputs":{"parameters":[{"name":"","value":""}],"artifacts":[{"name":"main-logs","s3":{"key":""}}],'
    b'"exitCode":"0","result":""},"children":[""],"outboundNodes":[""],"hostNodeName":"",'
    b'"type":"StepGroup","type":"Steps","type":"DAG","type":"Retry","type":"Skipped","phase":"Failed",'
    b'"phase":"Error","phase":"Running","phase":"Pending","phase":"Omitted"}}}}'
)


def encode(obj: Any) -> bytes:
    """Compact JSON; deflated when that saves space (tiny objects stay raw)."""
    raw = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    if len(raw) < 96:
        return _RAW + raw
    comp = zlib.compressobj(level=9, wbits=-15, zdict=_DICTIONARY_V1)
    packed = comp.compress(raw) + comp.flush()
    if len(packed) >= len(raw):
        return _RAW + raw
    return _DEFLATE_V1 + packed


def decode(blob: bytes) -> Any:
    tag, body = blob[:1], blob[1:]
    if tag == _RAW:
        return json.loads(body)
    if tag == _DEFLATE_V1:
        dec = zlib.decompressobj(wbits=-15, zdict=_DICTIONARY_V1)
        return json.loads(dec.decompress(body) + dec.flush())
    raise ValueError(f"unknown stored encoding {tag!r}: the store was written by a newer pinnace")
