# The Spark entry point as a Databricks job (the Terraform twin of databricks.yml's bundle). The
# job reads bronze from the lakehouse on a Unity Catalog volume backed by the bucket
# (s3://<bucket>/lakehouse, where `fitlake ingest --lakehouse /Volumes/…` or a sync writes it) and
# writes every silver and gold table as a Delta table <catalog>.<schema>.<model>.
resource "databricks_external_location" "lakehouse" {
  name            = "fitlake-${var.environment}-lakehouse"
  url             = "s3://${aws_s3_bucket.lakehouse.bucket}/lakehouse"
  credential_name = var.databricks_storage_credential
  comment         = "fitlake ${var.environment}: the lakehouse the pipeline job reads bronze from"
}

resource "databricks_schema" "fitlake" {
  catalog_name = var.catalog
  name         = var.schema
  comment      = "fitlake ${var.environment}: silver and gold tables"
}

resource "databricks_volume" "lakehouse" {
  catalog_name     = var.catalog
  schema_name      = databricks_schema.fitlake.name
  name             = "lakehouse"
  volume_type      = "EXTERNAL"
  storage_location = databricks_external_location.lakehouse.url
  comment          = "fitlake's lakehouse folder (landing, bronze, _log)"
}

locals {
  volume_path = "/Volumes/${var.catalog}/${databricks_schema.fitlake.name}/${databricks_volume.lakehouse.name}"
}

resource "databricks_job" "pipeline" {
  name                = "fitlake pipeline (${var.environment})"
  max_concurrent_runs = 1

  job_cluster {
    job_cluster_key = "pipeline"
    new_cluster {
      spark_version      = var.spark_version
      node_type_id       = var.node_type_id
      num_workers        = var.workers
      data_security_mode = "SINGLE_USER"
      spark_conf = {
        "spark.sql.shuffle.partitions" = "64"
      }
    }
  }

  task {
    task_key        = "silver_and_gold"
    job_cluster_key = "pipeline"
    spark_python_task {
      python_file = "${var.repo_path}/pipelines/engine/spark/databricks_job.py"
      parameters  = ["--lakehouse", local.volume_path, "--catalog", var.catalog, "--schema", databricks_schema.fitlake.name, "--timezone", var.timezone]
    }
    library {
      pypi {
        package = "sqlglot==30.30.0"
      }
    }
    max_retries = 1
  }

  schedule {
    quartz_cron_expression = "0 30 3 * * ?"
    timezone_id            = var.timezone
    pause_status           = var.environment == "prod" ? "UNPAUSED" : "PAUSED"
  }
}
