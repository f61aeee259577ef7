"""tasks raised from SMS replies have no feed message

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.Integer(), nullable=False)
