variable "name" {
  type = string
}

variable "admin_cidrs" {
  type = list(string)
}
