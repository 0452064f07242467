# A small platform: the network comes from a local module, the rest is here.

locals {
  name = "${var.project}-${var.environment}"
  tags = {
    Project     = var.project
    Environment = var.environment
  }
}

module "network" {
  source      = "./modules/network"
  name        = local.name
  admin_cidrs = var.admin_cidrs
}

resource "aws_db_instance" "orders" {
  identifier        = "${local.name}-orders"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  tags              = local.tags
}

data "aws_iam_policy_document" "operator" {
  statement {
    sid       = "Everything"
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "operator" {
  name   = "${local.name}-operator"
  policy = data.aws_iam_policy_document.operator.json
}
