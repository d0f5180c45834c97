CREATE TABLE "usage_layouts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "usage_layouts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"hash" text NOT NULL,
	"layout" jsonb NOT NULL,
	CONSTRAINT "usage_layouts_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "usage_meter_reports" (
	"workspace_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"hour" timestamp (3) with time zone NOT NULL,
	"meter" text NOT NULL,
	"value" text NOT NULL,
	"reported_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_meter_reports_workspace_id_hour_meter_pk" PRIMARY KEY("workspace_id","hour","meter")
);
--> statement-breakpoint
CREATE TABLE "usage_samples" (
	"workspace_id" text NOT NULL,
	"tier" smallint NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"until" timestamp (3) with time zone NOT NULL,
	"samples" integer DEFAULT 1 NOT NULL,
	"layout_id" integer NOT NULL,
	"used" double precision[] NOT NULL,
	CONSTRAINT "usage_samples_workspace_id_tier_at_pk" PRIMARY KEY("workspace_id","tier","at")
);
--> statement-breakpoint
CREATE TABLE "usage_sampling" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"leased_until" timestamp (3) with time zone,
	"sampled_at" timestamp (3) with time zone,
	"failed_at" timestamp (3) with time zone,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "traceparent" text;--> statement-breakpoint
ALTER TABLE "usage_samples" ADD CONSTRAINT "usage_samples_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_samples" ADD CONSTRAINT "usage_samples_layout_id_usage_layouts_id_fk" FOREIGN KEY ("layout_id") REFERENCES "public"."usage_layouts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_sampling" ADD CONSTRAINT "usage_sampling_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_meter_reports_hour_idx" ON "usage_meter_reports" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "usage_samples_at_idx" ON "usage_samples" USING btree ("tier","at");