"""whether a message says the patient is an inpatient now

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('feed_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inpatient', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('feed_messages', schema=None) as batch_op:
        batch_op.drop_column('inpatient')
