"""Which URLs the probe cache keeps for days: only storage endpoints that honour a version.

A ``?versionId=`` or ``?snapshot=`` pins an object only on the storage service itself. Other
hosts under the same domains (EC2 instances, API gateways, Azure static websites) are servers
anyone can run, and they ignore the query (issue 14, item 6).
"""

from __future__ import annotations

import pytest
from medperf_lint.net.cache import is_immutable

VERSION = "versionId=3HL4kqtJlcpXroDTDmJ"
SNAPSHOT = "snapshot=2024-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "url",
    [
        f"https://bucket.s3.amazonaws.com/w.tar.gz?{VERSION}",  # virtual-host, global
        f"https://bucket.s3.us-east-1.amazonaws.com/w.tar.gz?{VERSION}",  # virtual-host, region
        f"https://my.dotted.bucket.s3.eu-west-1.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://s3.amazonaws.com/bucket/w.tar.gz?{VERSION}",  # path-style
        f"https://s3.us-west-2.amazonaws.com/bucket/w.tar.gz?{VERSION}",
        f"https://s3.dualstack.us-west-2.amazonaws.com/bucket/w.tar.gz?{VERSION}",
        f"https://bucket.s3.dualstack.ap-south-1.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://s3-us-west-2.amazonaws.com/bucket/w.tar.gz?{VERSION}",  # legacy dash region
        f"https://bucket.s3-us-west-2.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://s3-external-1.amazonaws.com/bucket/w.tar.gz?{VERSION}",
        f"https://bucket.s3-accelerate.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://s3.s3.amazonaws.com/w.tar.gz?{VERSION}",  # a bucket named s3
        f"https://bucket.s3.us-gov-west-1.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://bucket.s3.cn-north-1.amazonaws.com.cn/w.tar.gz?{VERSION}",
        f"https://acct.blob.core.windows.net/c/w.tar.gz?{SNAPSHOT}",
        "https://acct.blob.core.windows.net/c/w.tar.gz?versionid=2024-01-01T00:00:00Z",
    ],
)
def test_storage_endpoints_with_a_version_are_immutable(url: str) -> None:
    assert is_immutable(url)


@pytest.mark.parametrize(
    "url",
    [
        f"https://ec2-54-1-2-3.compute-1.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://ec2-54-1-2-3.us-west-2.compute.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://abc123.execute-api.us-east-1.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://my-lb-1.us-east-1.elb.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://bucket.s3-website-us-east-1.amazonaws.com/w.tar.gz?{VERSION}",  # website
        f"https://bucket.s3-website.us-east-1.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://ap-123.s3-object-lambda.us-east-1.amazonaws.com/w.tar.gz?{VERSION}",
        f"https://amazonaws.com.evil.example/w.tar.gz?{VERSION}",
        f"https://s3.amazonaws.com.evil.example/bucket/w.tar.gz?{VERSION}",
        "https://bucket.s3.amazonaws.com/w.tar.gz",  # no version
        f"https://acct.web.core.windows.net/w.tar.gz?{SNAPSHOT}",  # Azure static website
        f"https://acct.z13.web.core.windows.net/w.tar.gz?{SNAPSHOT}",
        f"https://acct.file.core.windows.net/share/w.tar.gz?{SNAPSHOT}",
        f"https://app.azurewebsites.net/w.tar.gz?{SNAPSHOT}",
        f"https://blob.core.windows.net.evil.example/c/w.tar.gz?{SNAPSHOT}",
        "https://acct.blob.core.windows.net/c/w.tar.gz",  # no snapshot
    ],
)
def test_other_hosts_and_unversioned_objects_are_not(url: str) -> None:
    assert not is_immutable(url)
