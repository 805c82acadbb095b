/*
 * migrations.S — embeds schema/NNN_*.sql into the binary, NUL-terminated,
 * so boxoffice-admin init needs no files beside it. Assembled from the
 * repository root (the Makefile runs from there).
 */
	.section .rodata
	.global schema_001
schema_001:
	.incbin "schema/001_init.sql"
	.byte 0
	.global schema_002
schema_002:
	.incbin "schema/002_queue.sql"
	.byte 0
	.global schema_003
schema_003:
	.incbin "schema/003_seat_version.sql"
	.byte 0
	.global schema_004
schema_004:
	.incbin "schema/004_wallet.sql"
	.byte 0
	.global schema_005
schema_005:
	.incbin "schema/005_api.sql"
	.byte 0
	.global schema_006
schema_006:
	.incbin "schema/006_plans.sql"
	.byte 0
	.global schema_007
schema_007:
	.incbin "schema/007_login_throttle.sql"
	.byte 0
	.global schema_008
schema_008:
	.incbin "schema/008_idempotency.sql"
	.byte 0
	.global schema_009
schema_009:
	.incbin "schema/009_settings_version.sql"
	.byte 0
	.global schema_010
schema_010:
	.incbin "schema/010_login_known.sql"
	.byte 0
	.global schema_011
schema_011:
	.incbin "schema/011_operator.sql"
	.byte 0
	.global schema_012
schema_012:
	.incbin "schema/012_checkin.sql"
	.byte 0
	.global schema_013
schema_013:
	.incbin "schema/013_queue_call.sql"
	.byte 0
	.global schema_014
schema_014:
	.incbin "schema/014_refund.sql"
	.byte 0
	.global schema_015
schema_015:
	.incbin "schema/015_orders.sql"
	.byte 0
	.global schema_016
schema_016:
	.incbin "schema/016_order_payment.sql"
	.byte 0
	.global schema_017
schema_017:
	.incbin "schema/017_expire_run.sql"
	.byte 0
	.global schema_018
schema_018:
	.incbin "schema/018_checkin_live.sql"
	.byte 0
	.global schema_019
schema_019:
	.incbin "schema/019_hold_user_live.sql"
	.byte 0
	.global schema_020
schema_020:
	.incbin "schema/020_audit_restore.sql"
	.byte 0

	.section .note.GNU-stack,"",@progbits
