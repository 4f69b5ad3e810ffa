# Sourced by .ci/typecheck and .ci/importlint. Tools that find modules by walking folders cannot
# see through setuptools' package-dir mapping (linter/ -> medperf_lint, rules/ ->
# medperf_lint.rules), so lay out a temporary folder as the installed package: real folders,
# symlinked files. Sets $root (the checkout, or $1 when given) and $view; removed on exit.
root=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)
view=$(mktemp -d)
trap 'rm -rf "$view"' EXIT
cp -rs "$root/linter" "$view/medperf_lint"
cp -rs "$root/rules" "$view/medperf_lint/rules"
find "$view" -name __pycache__ -prune -exec rm -rf {} +
