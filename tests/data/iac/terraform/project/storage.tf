module "assets" {
  source = "./modules/bucket"
  name   = "${local.name}-assets"
}

resource "aws_s3_bucket" "site" {
  bucket = "${local.name}-site"
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl    = "public-read"
}
