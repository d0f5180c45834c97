ALTER TABLE "workspaces" ADD COLUMN "reconciled_hash" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "reconciled_at" timestamp (3) with time zone;