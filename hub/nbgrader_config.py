"""nbgrader configuration shared by every account of the course (students and instructors).

Put this folder on JUPYTER_CONFIG_PATH (hub/jupyterhub_config.py does it for every user,
or copy the file to /etc/jupyter/nbgrader_config.py). It names the course and nbgrader's
exchange, the folder all accounts can write into: `RNNLAB_EXCHANGE` (default
/srv/nbgrader/exchange; create it once, `mkdir -p /srv/nbgrader/exchange && chmod 777
/srv/nbgrader/exchange`) and `RNNLAB_COURSE_ID` (default rnn-attention). An instructor's
course directory has its own nbgrader_config.py (instructor/engine/nbgrader_config.py),
which sets the same course id.
"""

import os

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = os.environ.get("RNNLAB_COURSE_ID", "rnn-attention")
c.Exchange.root = os.environ.get("RNNLAB_EXCHANGE", "/srv/nbgrader/exchange")
