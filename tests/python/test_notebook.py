"""docs/notebooks/ocean_v3_vs_v41.ipynb executes from top to bottom (nbclient)."""

import unittest
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "docs" / "notebooks" / "ocean_v3_vs_v41.ipynb"


class Notebook(unittest.TestCase):
    def test_the_notebook_executes_and_shows_its_tables(self):
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                         resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        client.execute()
        outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
        errors = [o for o in outputs if o.get("output_type") == "error"]
        self.assertEqual(errors, [])
        text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
        for expected in ("ocean_v3", "agent.publisher.swap_fee", "verdict"):
            self.assertIn(expected, text)


if __name__ == "__main__":
    unittest.main()
